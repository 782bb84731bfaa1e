"""Many workspaces: installations (OAuth), each workspace's ATS connection, and who may connect."""
