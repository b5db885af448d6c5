extension WebAsset {
    /// `GET /favicon.svg`: a small switchboard jack, referenced by both pages.
    static let favicon = WebAsset(
        path: "/favicon.svg",
        contentType: "image/svg+xml",
        text: #"""
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
              <rect width="32" height="32" rx="7" fill="#182029"/>
              <circle cx="10" cy="11" r="4" fill="#3b82f6"/>
              <circle cx="22" cy="21" r="4" fill="#2ea043"/>
              <path d="M10 15 C10 24 22 8 22 17" stroke="#e6edf3" stroke-width="2" fill="none"/>
            </svg>

            """#
    )
}
