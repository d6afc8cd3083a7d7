"""The runtime: configuration, command line, mailbox sources, stages, outbox, demo."""
