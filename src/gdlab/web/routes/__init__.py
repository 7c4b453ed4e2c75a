"""The playground's routers, one per resource: meta, training, uploads and the page."""
