"""Everything about Bindbee's unified ATS API: the candidate model, its errors, the client."""
