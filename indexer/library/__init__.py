"""The library's instance state: accounts, drafts, publishing and history."""
