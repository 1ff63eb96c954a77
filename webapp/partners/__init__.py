"""The partner agencies' area: reports survivors chose to share, and aggregate figures."""
