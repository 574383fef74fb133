"""Presidio + GiNZA over incident records: the peer figure of `tazan bench sanitize --presidio`.

Usage: <venv>/bin/python scripts/presidio-bench.py RECORDS.jsonl N
(the venv comes from scripts/setup-presidio.sh; `tazan bench sanitize --presidio` runs this).

Each of the first N records is analysed and anonymised as one text: every string
value of the record except its id, one per line, as tazan sanitises every field.
Like tazan, Presidio gets the record's own organisation names (organization.name
and aliases) as a deny-list (an ad-hoc ORGANIZATION recogniser). NER is GiNZA
(spaCy `ja_ginza`); e-mail, phone, IP, URL and credit-card patterns are Presidio's
own recognisers, set to Japanese.

Prints one JSON line: records, chars (of the analysed texts), entities found,
cpu_s / wall_s of the analyse+anonymise loop (model loading excluded, in Presidio's
favour: it is reported apart as load_cpu_s). Reads and writes nothing else.
"""

import json
import sys
import time

LOAD_CPU0 = time.process_time()

from presidio_analyzer import AnalyzerEngine, PatternRecognizer, RecognizerRegistry  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    CreditCardRecognizer,
    EmailRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UrlRecognizer,
)
from presidio_anonymizer import AnonymizerEngine  # noqa: E402

LANG = "ja"
# GiNZA's entity labels (extended named-entity hierarchy and OntoNotes-style)
# onto Presidio's entity types.
LABELS = {
    "Person": "PERSON",
    "PERSON": "PERSON",
    "Company": "ORGANIZATION",
    "Organization": "ORGANIZATION",
    "Corporation_Other": "ORGANIZATION",
    "ORG": "ORGANIZATION",
    "Province": "LOCATION",
    "City": "LOCATION",
    "Country": "LOCATION",
    "Location": "LOCATION",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "Facility": "LOCATION",
    "Product_Other": "PRODUCT",
    "PRODUCT": "PRODUCT",
    "Date": "DATE_TIME",
    "DATE": "DATE_TIME",
    "Time": "DATE_TIME",
    "TIME": "DATE_TIME",
}


def texts(value, out):
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for v in value:
            texts(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            texts(v, out)


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": LANG, "model_name": "ja_ginza"}],
            "ner_model_configuration": {
                "model_to_presidio_entity_mapping": LABELS,
                "low_confidence_score_multiplier": 1.0,
                "low_score_entity_names": [],
            },
        }
    )
    nlp = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=[LANG])
    registry.add_recognizer(
        SpacyRecognizer(
            supported_language=LANG,
            supported_entities=sorted(set(LABELS.values())),
        )
    )
    for rec in (EmailRecognizer, PhoneRecognizer, IpRecognizer, UrlRecognizer, CreditCardRecognizer):
        registry.add_recognizer(rec(supported_language=LANG))
    analyzer = AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=[LANG])
    anonymizer = AnonymizerEngine()

    records = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
            if len(records) == n:
                break
    # Warm the pipeline once (first-call set-up is load, not analysis).
    analyzer.analyze(text="東京の山田太郎", language=LANG)
    load_cpu = time.process_time() - LOAD_CPU0

    chars = found = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for record in records:
        org = record.get("organization") or {}
        deny = [s for s in [org.get("name", "")] + list(org.get("aliases", [])) if s.strip()]
        parts = []
        texts({k: v for k, v in record.items() if k != "id"}, parts)
        text = "\n".join(parts)
        chars += len(text)
        adhoc = [
            PatternRecognizer(
                supported_entity="ORGANIZATION",
                supported_language=LANG,
                deny_list=deny,
                name="own_names",
            )
        ] if deny else []
        results = analyzer.analyze(text=text, language=LANG, ad_hoc_recognizers=adhoc)
        found += len(results)
        anonymizer.anonymize(text=text, analyzer_results=results)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    print(
        json.dumps(
            {
                "records": len(records),
                "chars": chars,
                "entities": found,
                "cpu_s": cpu,
                "wall_s": wall,
                "load_cpu_s": load_cpu,
            }
        )
    )


if __name__ == "__main__":
    main()
