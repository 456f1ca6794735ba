"""Pages of the workshops: planning (list, new, participants) and the room."""
