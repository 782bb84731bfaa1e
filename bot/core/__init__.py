"""The pure core: query parsing, link patterns, the privacy policy and the cards. No I/O."""
