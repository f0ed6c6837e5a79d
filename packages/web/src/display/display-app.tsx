export default function DisplayApp() {
  return <div className="loading">display</div>;
}
