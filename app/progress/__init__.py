"""The progress layer: the task tree every long piece of work reports to, its terminal
rendering, and the log. Imports only app.base."""
