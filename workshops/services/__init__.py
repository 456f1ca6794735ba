"""Writes of the workshop room, by topic: set-up (the workshop, its participants and
phases) in `setup`, proposals in `proposals`, votes in `votes` and decisions in
`decisions`; `common` holds the phase helpers they share."""
