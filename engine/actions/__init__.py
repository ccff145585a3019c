"""What a signed-in user asks the engine for, as the API's routes and the web pages both call it.

Each function takes the principal, checks what it may see (`engine.access.policy`: patient data only in the
coordinator's own units, another unit's data as not found), runs one runtime command or read, writes the audit
rows of what it reads, and returns the view the caller shows. A route or a page calls one of these and shapes the
answer; neither repeats an access rule.
"""
