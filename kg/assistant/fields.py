"""The names of the fact fields the drafting assistant fills, looked up in :mod:`kg.model`.

The assistant knows what a field means (who met, who imposes a tariff on whom), not what the model
calls it: it names each field by its ontology property, and :meth:`Fields.of` finds the field the
model declares with that property, so a field renamed in ``ontology/model.yaml`` follows.

>>> from kg.model import model
>>> n = Fields.of(model())
>>> n.participants, n.imposed_by, n.sc_new_rate
('participants', 'imposed_by', 'new_rate')
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from kg.errors import OntologyError
from kg.model import Model
from kg.namespaces import TDO

# attribute -> ontology property of a fact field (sc_*: of a status change)
_FACT = {"participants": "participant", "parties": "party", "place": "place", "date": "date",
         "date_expression": "dateExpression", "imposed_by": "imposedBy", "targets": "targets", "rate": "ratePercent",
         "rate_basis": "rateBasis", "status_changes": "statusChange", "speaker": "speaker", "channel": "channel",
         "quote": "quotedText", "person": "holder", "post": "post"}
_STATUS = {"sc_status": "status", "sc_date": "date", "sc_date_expression": "dateExpression",
           "sc_until": "effectiveUntil", "sc_new_rate": "newRatePercent"}


@dataclass(frozen=True)
class Fields:
    participants: str
    parties: str
    place: str
    date: str
    date_expression: str
    imposed_by: str
    targets: str
    rate: str
    rate_basis: str
    status_changes: str
    speaker: str
    channel: str
    quote: str
    person: str
    post: str
    sc_status: str
    sc_date: str
    sc_date_expression: str
    sc_until: str
    sc_new_rate: str

    @classmethod
    def of(cls, m: Model) -> Fields:
        """The model's names of the fields the assistant fills; OntologyError when one has none."""
        names: dict[str, str] = {}
        for table, where, wanted in ((m.fields, "fields", _FACT), (m.status_fields, "status_change.fields", _STATUS)):
            by_iri = {f.iri: n for n, f in table.items() if f.iri}
            for attr, prop in wanted.items():
                if str(TDO[prop]) not in by_iri:
                    raise OntologyError(f"{m.path}: {where}: no field with property tdo:{prop}; "
                                        f"the drafting assistant fills one")
                names[attr] = by_iri[str(TDO[prop])]
        assert set(names) == {f.name for f in fields(cls)}
        return cls(**names)
