"""Staff surfaces: sign-in, administration, who is signed in, and the staff command line."""
