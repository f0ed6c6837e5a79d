export default function RegisterApp() {
  return <div className="loading">register</div>;
}
