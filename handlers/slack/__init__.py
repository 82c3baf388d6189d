"""The Slack adapter: slash command, threaded answers, private feedback and App Home on slack-bolt."""
