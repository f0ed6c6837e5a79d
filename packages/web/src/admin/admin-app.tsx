export default function AdminApp() {
  return <div className="loading">admin</div>;
}
