"""Callback requests and the advocates who answer them: shifts, languages and skills."""
