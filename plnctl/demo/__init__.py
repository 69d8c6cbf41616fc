"""`plnctl demo`: the whole pipeline offline, on sample feeds served from 127.0.0.1."""
