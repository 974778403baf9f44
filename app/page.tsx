export default function Home() {
  return (
    <main style={{ padding: 24 }}>
      <h1>Steady</h1>
      <p>The queue dashboard is being set up.</p>
    </main>
  );
}
