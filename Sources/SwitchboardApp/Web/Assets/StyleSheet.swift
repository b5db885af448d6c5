extension WebAsset {
    /// `GET /assets/app.css`: the style sheet of both pages. No framework; a grid that reflows from one column on
    /// a phone to several on a wide screen.
    static let styleSheet = WebAsset(
        path: "/assets/app.css",
        contentType: "text/css; charset=utf-8",
        text: #"""
            :root {
              --bg: #0f1419;
              --panel: #182029;
              --panel-2: #202b36;
              --line: #2c3a48;
              --text: #e6edf3;
              --muted: #8b9bab;
              --accent: #3b82f6;
              --accent-text: #ffffff;
              --danger: #dc3f3f;
              --ok: #2ea043;
              --warn: #d29922;
              --radius: 10px;
              color-scheme: dark;
            }

            * { box-sizing: border-box; }

            html, body { height: 100%; }

            body {
              margin: 0;
              background: var(--bg);
              color: var(--text);
              font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
            }

            [hidden] { display: none !important; }

            button, input { font: inherit; color: inherit; }

            button {
              border: 1px solid var(--line);
              background: var(--panel-2);
              padding: 0.55em 1em;
              border-radius: 8px;
              cursor: pointer;
            }
            button:hover { border-color: var(--muted); }
            button:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
            button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
            button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
            button.off { background: #3a2424; border-color: #6e3434; }
            button:disabled { opacity: 0.5; cursor: default; }

            input {
              width: 100%;
              padding: 0.55em 0.7em;
              border-radius: 8px;
              border: 1px solid var(--line);
              background: var(--bg);
            }

            code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.92em; }

            /* Top bar */
            .topbar {
              display: flex;
              align-items: center;
              gap: 1rem;
              padding: 0.6rem 1rem;
              border-bottom: 1px solid var(--line);
              background: var(--panel);
            }
            .brand { font-weight: 650; letter-spacing: 0.02em; }
            .room-title {
              flex: 1;
              overflow: hidden;
              color: var(--muted);
              text-overflow: ellipsis;
              white-space: nowrap;
            }
            .topbar-link { color: var(--muted); }
            .signal { font-size: 0.85em; color: var(--muted); }
            .signal::before {
              content: "";
              display: inline-block;
              width: 0.6em;
              height: 0.6em;
              margin-right: 0.4em;
              border-radius: 50%;
              background: var(--danger);
            }
            .signal[data-state="online"]::before { background: var(--ok); }
            .signal[data-state="connecting"]::before { background: var(--warn); }

            /* Lobby */
            .lobby { display: grid; place-items: center; min-height: calc(100vh - 3rem); padding: 1rem; }
            .card {
              width: min(100%, 24rem);
              padding: 1.5rem;
              border: 1px solid var(--line);
              border-radius: var(--radius);
              background: var(--panel);
            }
            .join-form { display: grid; gap: 0.9rem; }
            .join-form h1 { margin: 0; font-size: 1.35rem; }
            .join-form label { display: grid; gap: 0.3rem; color: var(--muted); font-size: 0.92em; }
            .hint { margin: 0; color: var(--muted); font-size: 0.88em; }
            .error { margin: 0; color: #ff8b8b; }

            /* Call: the video stage and the chat side by side, stacked on narrow screens */
            .call {
              display: grid;
              grid-template-columns: minmax(0, 1fr) 20rem;
              height: calc(100vh - 3rem);
            }
            .stage { display: flex; flex-direction: column; min-width: 0; padding: 0.75rem; gap: 0.75rem; }

            .grid {
              flex: 1;
              display: grid;
              gap: 0.75rem;
              grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr));
              align-content: center;
              overflow-y: auto;
            }
            .grid[data-count="1"] { grid-template-columns: minmax(0, 56rem); justify-content: center; }

            .tile {
              position: relative;
              margin: 0;
              aspect-ratio: 16 / 9;
              overflow: hidden;
              border-radius: var(--radius);
              background: #05080b;
              border: 1px solid var(--line);
            }
            .tile video { width: 100%; height: 100%; object-fit: cover; display: block; }
            .tile.self video { transform: scaleX(-1); }
            .tile.self.screen video { transform: none; object-fit: contain; }
            .tile.display video { object-fit: contain; }
            .tile[data-camera="off"] video { visibility: hidden; }
            .tile[data-camera="off"]::before {
              content: attr(data-username);
              position: absolute;
              inset: 0;
              display: grid;
              place-items: center;
              color: var(--muted);
              font-size: 1.4rem;
              font-weight: 600;
            }
            .tile figcaption {
              position: absolute;
              left: 0.5rem;
              right: 0.5rem;
              bottom: 0.5rem;
              display: flex;
              gap: 0.4rem;
              align-items: center;
              flex-wrap: wrap;
            }
            .tile .name, .badge {
              padding: 0.15em 0.55em;
              border-radius: 999px;
              background: rgba(0, 0, 0, 0.6);
              font-size: 0.85em;
            }
            .tile .name { font-weight: 600; }
            .badge { color: var(--muted); }
            .muted-badge { color: #ffb4b4; }
            .tile[data-connection-type="direct"] .connection-badge { color: #8ee09b; }
            .tile[data-connection-type="server-reflexive"] .connection-badge { color: #f0c674; }
            .tile[data-connection-type="relayed"] .connection-badge { color: #8fbcff; }
            .tile[data-connection-state="failed"] .connection-badge { color: #ff8b8b; }

            .tile.needs-click { cursor: pointer; }
            .tile.needs-click::after {
              content: "click for sound";
              position: absolute;
              top: 0.5rem;
              right: 0.5rem;
              padding: 0.15em 0.55em;
              border-radius: 999px;
              background: rgba(0, 0, 0, 0.6);
              font-size: 0.8em;
            }

            .notice { margin: 0; color: var(--warn); font-size: 0.9em; }

            .controls { display: flex; gap: 0.5rem; justify-content: center; flex-wrap: wrap; }

            /* Chat */
            .chat {
              display: flex;
              flex-direction: column;
              min-height: 0;
              border-left: 1px solid var(--line);
              background: var(--panel);
            }
            .chat h2 { margin: 0; padding: 0.75rem 1rem; font-size: 1rem; border-bottom: 1px solid var(--line); }
            .chat-log { flex: 1; margin: 0; padding: 0.75rem 1rem; list-style: none; overflow-y: auto; }
            .chat-log li { margin-bottom: 0.6rem; overflow-wrap: anywhere; }
            .chat-log .from { font-weight: 600; margin-right: 0.4em; }
            .chat-log .time { color: var(--muted); font-size: 0.8em; margin-left: 0.4em; }
            .chat-log .self .from { color: #8fbcff; }
            .chat-log .system { color: var(--muted); font-style: italic; font-size: 0.9em; }
            .chat-form { display: flex; gap: 0.5rem; padding: 0.75rem; border-top: 1px solid var(--line); }

            @media (max-width: 800px) {
              .call { grid-template-columns: 1fr; grid-template-rows: auto 18rem; height: auto; }
              .chat { border-left: 0; border-top: 1px solid var(--line); }
            }

            /* Status page */
            .status-page main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
            .cards { display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); }
            .metric {
              padding: 1rem;
              border: 1px solid var(--line);
              border-radius: var(--radius);
              background: var(--panel);
            }
            .metric .label { color: var(--muted); font-size: 0.85em; }
            .metric .value { font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; }
            .metric .detail { color: var(--muted); font-size: 0.85em; font-variant-numeric: tabular-nums; }
            .status-page h2 { font-size: 1.05rem; margin: 1.5rem 0 0.6rem; }
            table { width: 100%; border-collapse: collapse; background: var(--panel); border-radius: var(--radius); }
            th, td { text-align: left; padding: 0.55rem 0.8rem; border-bottom: 1px solid var(--line); }
            th { color: var(--muted); font-weight: 500; font-size: 0.88em; }
            td.count { font-variant-numeric: tabular-nums; }
            .empty { color: var(--muted); }

            """#
    )
}
