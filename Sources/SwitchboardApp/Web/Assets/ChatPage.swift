extension WebAsset {
    /// `GET /`: the video chat page. Its behaviour is in `chat.js`, its look in `app.css`.
    static let chatPage = WebAsset(
        path: "/",
        contentType: "text/html; charset=utf-8",
        text: #"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Switchboard video chat</title>
              <link rel="icon" href="/favicon.svg" type="image/svg+xml">
              <link rel="stylesheet" href="/assets/app.css">
              <script src="/assets/socket-client.js" defer></script>
              <script src="/assets/chat.js" defer></script>
            </head>
            <body class="chat-page" data-phase="idle">
              <header class="topbar">
                <span class="brand">Switchboard</span>
                <span class="room-title" id="room-title"></span>
                <span class="signal" id="signal" data-state="offline">offline</span>
                <a class="topbar-link" href="/status" target="_blank" rel="noopener">status</a>
              </header>

              <main>
                <section class="lobby" id="lobby">
                  <form class="card join-form" id="join-form" autocomplete="on">
                    <h1>Join a video chat</h1>
                    <p class="hint">Everyone who enters the same room name sees each other.</p>
                    <label>Your name
                      <input id="username" name="username" required maxlength="64" autocomplete="nickname">
                    </label>
                    <label>Room
                      <input id="roomname" name="roomname" required maxlength="64">
                    </label>
                    <button type="submit" class="primary" id="join-button">Join</button>
                    <p class="error" id="join-error" role="alert" hidden></p>
                    <p class="hint" id="relay-hint" hidden>Relay-only mode (<code>?relay=1</code>): every
                      connection goes through the TURN server.</p>
                  </form>
                </section>

                <section class="call" id="call" hidden>
                  <div class="stage">
                    <div class="grid" id="grid" data-count="0"></div>
                    <p class="notice" id="media-notice" hidden></p>
                    <nav class="controls" aria-label="Call controls">
                      <button type="button" id="mic-button" aria-pressed="true">Mute mic</button>
                      <button type="button" id="camera-button" aria-pressed="true">Stop camera</button>
                      <button type="button" id="screen-button" aria-pressed="false">Share screen</button>
                      <button type="button" class="danger" id="leave-button">Leave</button>
                    </nav>
                  </div>
                  <aside class="chat" aria-label="Chat">
                    <h2>Chat</h2>
                    <ol class="chat-log" id="chat-log" aria-live="polite"></ol>
                    <form class="chat-form" id="chat-form" autocomplete="off">
                      <input id="chat-input" placeholder="Message everyone" maxlength="2000" aria-label="Message">
                      <button type="submit" id="chat-send">Send</button>
                    </form>
                  </aside>
                </section>
              </main>

              <template id="tile-template">
                <figure class="tile" data-connection-type="unknown">
                  <video autoplay playsinline></video>
                  <figcaption>
                    <span class="name"></span>
                    <span class="badge muted-badge" hidden>mic off</span>
                    <span class="badge connection-badge">connecting</span>
                  </figcaption>
                </figure>
              </template>
            </body>
            </html>

            """#
    )
}
