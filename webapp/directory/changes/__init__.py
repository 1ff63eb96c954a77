"""Change requests: how editors change their organizations' listings and moderators review them.

Every edit is a change request holding field-level before and after values. Fields that can put
a survivor in danger when wrong (phone numbers, addresses, a place's visibility, intake steps,
eligibility) always wait for a moderator; low-risk ones (capacity, opening hours and closures) go
live at once for organizations a moderator trusts with that, and are reviewed after. Applying a
change writes the HSDS tables and an HSDS `metadata` row per field, so the history is exported
with the directory.
"""
