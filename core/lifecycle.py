"""May this move happen now? Each model with a lifecycle keeps one table, `MOVES` (move -> the states it
may start from, SPEC §4), beside its status sets; transitions refuse by it, pages and templates ask it.
Who may make a move is another question, answered by the transition (core.roles)."""

from core.errors import InvalidTransition


class Moves:
    """The moves a state allows: `obj.can("submit")` in Python, `{% if obj.can.submit %}` in a template.

    A name missing from the table is a mistake, not a "no": it raises, in a template too (LookupError is
    not among the errors a template lookup turns into an empty value)."""

    do_not_call_in_templates = True  # the template looks `submit` up instead of calling this

    def __init__(self, table: dict, status: str):
        self.table, self.status = table, status

    def __call__(self, move: str) -> bool:
        if move not in self.table:
            raise LookupError(f"No move {move!r} in this lifecycle: {', '.join(self.table)}.")
        return self.status in self.table[move]

    __getitem__ = __call__


class Lifecycle:
    """For a model with a `status` field and a `MOVES` table."""

    MOVES: dict[str, frozenset] = {}

    @property
    def can(self) -> Moves:
        return Moves(self.MOVES, self.status)

    @classmethod
    def moves_from(cls, status: str) -> Moves:
        """The same answers for a status read without its object (a `values()` row)."""
        return Moves(cls.MOVES, status)


def require_move(obj, move: str) -> None:
    """Refuse a move the object's state does not allow (409 invalid_transition over the API)."""
    if not obj.can(move):
        raise InvalidTransition(obj, move)
