"""Tests of the Bindbee side: model, ids, client, rate budget and the fake server."""
