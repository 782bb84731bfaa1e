"""The edges facing Slack: the server, the listeners and the replies."""
