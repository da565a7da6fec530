"""Operations data: the log tables a retailer exports (and ``run.records=true`` writes).

The schema is declared once in :mod:`twin.data.schema`; :mod:`twin.data.write` turns the
twin's logs into those tables, :mod:`twin.data.read` reads and checks a folder of them, and
:mod:`twin.data.logs` rebuilds the twin's own KPI log objects from them.
"""
