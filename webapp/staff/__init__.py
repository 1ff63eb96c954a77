"""Staff surfaces: sign-in, the console, the portal, the partners' area and administration."""
