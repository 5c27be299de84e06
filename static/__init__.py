"""Front-end assets served by the hub itself (no CDN): vendored Socket.IO client, JS, CSS, audio."""
