"""One module per subcommand; each exports one function that returns an exit code."""
