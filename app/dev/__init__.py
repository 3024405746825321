"""Dev mode: the supervisor that restarts Soma on source changes (it imports only app.base),
and the state a restarted app comes back to."""
