extension WebAsset {
    /// `GET /status`: the operator page. `status.js` fills it from `GET /api/status` every second.
    static let statusPage = WebAsset(
        path: "/status",
        contentType: "text/html; charset=utf-8",
        text: #"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Switchboard status</title>
              <link rel="icon" href="/favicon.svg" type="image/svg+xml">
              <link rel="stylesheet" href="/assets/app.css">
              <script src="/assets/status.js" defer></script>
            </head>
            <body class="status-page">
              <header class="topbar">
                <span class="brand">Switchboard</span>
                <span class="room-title">Status</span>
                <span class="signal" id="signal" data-state="connecting">loading</span>
                <a class="topbar-link" href="/">video chat</a>
              </header>
              <main>
                <section class="cards" aria-label="Summary">
                  <div class="metric">
                    <div class="label">Uptime</div>
                    <div class="value" id="uptime">–</div>
                  </div>
                  <div class="metric">
                    <div class="label">Rooms · members</div>
                    <div class="value" id="room-count">–</div>
                  </div>
                  <div class="metric">
                    <div class="label">TURN allocations</div>
                    <div class="value" id="allocations">–</div>
                  </div>
                  <div class="metric">
                    <div class="label">Relayed, client → peer</div>
                    <div class="value" id="to-peer-rate">–</div>
                    <div class="detail" id="to-peer-total">–</div>
                  </div>
                  <div class="metric">
                    <div class="label">Relayed, peer → client</div>
                    <div class="value" id="to-client-rate">–</div>
                    <div class="detail" id="to-client-total">–</div>
                  </div>
                </section>

                <h2>Rooms</h2>
                <table>
                  <thead><tr><th>Room</th><th>Members</th><th>Names</th></tr></thead>
                  <tbody id="rooms"><tr><td colspan="3" class="empty">No room yet.</td></tr></tbody>
                </table>
              </main>
            </body>
            </html>

            """#
    )
}
