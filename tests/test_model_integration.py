"""Integration tests with the real packaged model over the bundled content.

One index is built per test session (a few tens of seconds on two cores); these are
the tests that show semantic search works without shared words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.conftest import REPO_ROOT

from indexer.search.encoder import SentenceTransformerEncoder
from indexer.search.searcher import SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def real_casebase(tmp_path_factory):
    settings = Settings.from_env(content_dir=REPO_ROOT, index_dir=tmp_path_factory.mktemp("index"),
                                 environ={})
    service = Casebase.open(settings, encoder=SentenceTransformerEncoder(threads=2))
    report = service.build_index()
    assert report.semantic, report.warnings
    yield service
    service.close()


@pytest.fixture(scope="module")
def product_casebase(tmp_path_factory):
    """The bundled content with the encoder the product runs by default (the int8 ONNX
    export, made in the index folder): its cosines differ a little from the torch model's."""
    settings = Settings.from_env(content_dir=REPO_ROOT, index_dir=tmp_path_factory.mktemp("product-index"),
                                 environ={})
    service = Casebase.open(settings, semantic=True)
    report = service.build_index()
    assert report.semantic, report.warnings
    yield service
    service.close()


def first_ids(service, query, mode="hybrid", n=3, **kwargs):
    return [hit.id for hit in service.search(SearchRequest(query, mode=mode, **kwargs)).results[:n]]


def test_portuguese_name_finds_sinos_valley_first(real_casebase):
    assert first_ids(real_casebase, "Vale dos Sinos", n=1) == ["sinos-valley"]


def test_accentless_criciuma_finds_the_tile_case(real_casebase):
    assert "criciuma" in first_ids(real_casebase, "Criciuma", mode="keyword", n=3, kinds=("case",))
    assert first_ids(real_casebase, "Criciuma", kinds=("case",), n=1) == ["criciuma"]


def test_semantic_search_without_shared_words(real_casebase):
    query = "amphibian breeders selling overseas"
    keyword = first_ids(real_casebase, query, mode="keyword", n=20, kinds=("case",))
    assert "zamora-frogs" not in keyword  # no word in common...
    assert "zamora-frogs" in first_ids(real_casebase, query, mode="semantic", n=3, kinds=("case",))


def load_domain_queries() -> list[dict]:
    path = Path(__file__).parent / "data" / "domain_queries.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


def test_domain_queries_hit_at_3_in_hybrid_mode(real_casebase):
    queries = load_domain_queries()
    assert len(queries) >= 30
    misses = []
    for entry in queries:
        found = first_ids(real_casebase, entry["query"], n=3)
        if entry["expect"] not in found:
            misses.append(f"{entry['query']!r}: expected {entry['expect']}, got {found}")
    hit_rate = 1 - len(misses) / len(queries)
    assert hit_rate >= 0.9, f"hit@3 {hit_rate:.2f}; misses:\n" + "\n".join(misses)


@pytest.mark.parametrize("query, case_id", [
    ("Scottish Enterprise", "scotland-scottish-enterprise"),
    ("BioRegio InnoRegio", "germany-contest-programmes"),
    ("Dortmund", "dortmund"),
    ("CresceMinas", "minas-gerais-cresceminas"),
    ("Blumenau", "blumenau-software"),
    ("Third Italy", "third-italy"),
])
def test_naming_a_case_puts_the_case_above_its_own_lessons(real_casebase, query, case_id):
    assert first_ids(real_casebase, query, n=1) == [case_id]


def load_profiles(name: str = "advisor_profiles.yaml") -> list[dict]:
    path = Path(__file__).parent / "data" / name
    return yaml.safe_load(path.read_text(encoding="utf-8"))["profiles"]


def failures_of(service, entry) -> list[str]:
    """What the answer misses of the profile's expectations (the benchmark's check)."""
    from benchmarks.advisor_profiles import answer_inferred, check

    answer = service.suggest(entry["profile"]).to_dict()
    return check(entry, answer, answer_inferred(answer) or {}, 0.0).failures


# Profiles of advisor_profiles.yaml the advisor does not meet, with why (none since the
# planned activities weigh 1.5: the contest programme ranks the German contests first).
PROFILE_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("entry", [pytest.param(entry, id=entry["name"], marks=[
    pytest.mark.xfail(reason=PROFILE_GAPS[entry["name"]], strict=True)] if entry["name"] in PROFILE_GAPS else [])
    for entry in load_profiles()])
def test_advisor_profiles(real_casebase, entry):
    assert failures_of(real_casebase, entry) == []


# Held-out profiles (issue 9) the advisor does not yet meet, with the gap: strict, so a
# profile that starts passing must leave this list. See the report of issue 9 for the
# measurement; the gaps are mostly Spanish and Portuguese (the model is English-only).
HELDOUT_GAPS: dict[str, str] = {}


def _heldout_params():
    for entry in load_profiles("advisor_heldout.yaml"):
        gap = HELDOUT_GAPS.get(entry["name"])
        marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
        yield pytest.param(entry, id=entry["name"], marks=marks)


@pytest.mark.parametrize("entry", list(_heldout_params()))
def test_heldout_profiles(real_casebase, entry):
    assert failures_of(real_casebase, entry) == []


def test_no_rule_fires_on_a_heldout_profile_written_to_contradict_it(real_casebase):
    false_fires = []
    for entry in load_profiles("advisor_heldout.yaml"):
        answer = real_casebase.suggest(entry["profile"]).to_dict()
        fired = {w["rule"] for w in answer["warnings"]} | {r["rule"] for r in answer["readings"]}
        false_fires += [f"{entry['name']}: {rule}" for rule in entry.get("contradicts", []) if rule in fired]
    assert false_fires == []


# Rules that fire on none of the held-out profiles expecting them, with why: a rule
# that starts firing must leave this list, and one that stops fails the test.
RULES_NOT_YET_FIRED: dict[str, str] = {}


def test_every_rule_fires_on_some_heldout_profile_from_the_description(real_casebase):
    fired_somewhere: set[str] = set()
    for entry in load_profiles("advisor_heldout.yaml"):
        answer = real_casebase.suggest(entry["profile"]).to_dict()
        expected = set(entry.get("expect_warnings", [])) | set(entry.get("expect_readings", []))
        fired = {w["rule"] for w in answer["warnings"]} | {r["rule"] for r in answer["readings"]}
        fired_somewhere |= expected & fired
    rules = {rule.id for rule in real_casebase.content.rules}
    assert rules - fired_somewhere == set(RULES_NOT_YET_FIRED)


def test_a_negated_description_does_not_read_the_positive_value(real_casebase):
    answer = real_casebase.suggest({"description": "The workshops are no longer doing well since the imports "
                                                   "arrived."}).to_dict()
    assert {"attribute": "pressure", "value": "doing-well"} not in [
        {"attribute": item["attribute"], "value": item["value"]} for item in answer["inferred"]]


def test_given_values_win_over_what_the_description_says(real_casebase):
    answer = real_casebase.suggest({"description": "Orders have never been better and the order books are full.",
                                    "pressure": "under-pressure"}).to_dict()
    assert answer["given"] == ["pressure"]
    assert "pressure" not in {item["attribute"] for item in answer["inferred"]}


def test_the_explanation_adds_up_on_the_bundled_content(real_casebase):
    answer = real_casebase.suggest(load_profiles()[0]["profile"])
    for match in answer.cases:
        total = sum(part.weight for part in match.explanation)
        expected = sum(part.weight * part.similarity for part in match.explanation) / total
        assert match.score == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize("description", [
    "Os donos desconfiam uns dos outros.",
    "As pequenas fábricas de móveis de Ubá desconfiam umas das outras. A prefeitura quer lançar um programa para elas.",
    "The owners distrust each other.",
])
def test_owners_who_distrust_each_other_state_their_culture_and_nothing_more(real_casebase, description):
    # These read as a mature cluster, global buyers or government as the obstacle (all
    # 'distrust' examples), which fired the mature-cluster and external-control warnings.
    answer = real_casebase.suggest({"description": description}).to_dict()
    read = {item["attribute"]: item["value"] for item in answer["inferred"]}
    assert read.get("cooperative_culture") in (None, "non-cooperative")
    assert "stage" not in read and read.get("buyers") != "global-buyers"
    assert read.get("government_view") != "obstacle" and read.get("ownership") != "external"
    assert [warning["rule"] for warning in answer["warnings"]] == []


@pytest.mark.parametrize("description", [
    "A new programme.", "Um projeto novo.", "What should we do first?",
    "We met the mayor and two business owners on Tuesday.",
    "Unas cuatrocientas personas trabajan en el sector, la mayoría mujeres.",
    "El pueblo queda a dos horas de la capital, junto a la carretera principal."])
def test_a_description_that_states_nothing_reads_nothing(real_casebase, description):
    # "A new programme." read as a public, top-down, large-fund initiative and fired two
    # warnings; a mayor met read as a government lead; a headcount read six attributes.
    answer = real_casebase.suggest({"description": description}).to_dict()
    assert answer["inferred"] == [] and answer["warnings"] == []


# Statements that must not decide an attribute the way the model once read them (audit
# of kb/attribute_examples.yaml and kb/rules.yaml): a small real group of firms is no
# policy-driven cluster (980-985); rivalry alone says nothing of the culture (38-39,
# 1062-1064, 1204); distrust of an association is not distrust between firms
# (1124-1137); a grant's form is not the fund's size (1551); tax inspectors and a
# batch's quality inspection are no M+E of the initiative (1751-1754).
NOT_READ_AS = [
    ("There are few firms in the sector.", "enright", {"policy-driven", "wishful-thinking"}),
    ("Only a few firms work in this sector here.", "enright", {"policy-driven", "wishful-thinking"}),
    ("Rivalry between the local firms is fierce.", "cooperative_culture", None),
    ("Competition among the local producers is fierce.", "cooperative_culture", None),
    ("The association is strong and active, but small firms do not trust it.", "cooperative_culture",
     {"non-cooperative"}),
    ("The programme offers 100% grants for a small training course.", "funding_level", {"large"}),
    ("Owners complain that tax inspectors harass them.", "monitoring_style", {"external-inspection"}),
    ("The exporters pay for quality inspection of every batch.", "monitoring_style", {"external-inspection"}),
    # "cut" names the flowers here, not a fall (kb/trend_words.yaml)
    ("Demand for cut orchids from the growers near Bangkok has grown every year and prices are good.",
     "pressure", {"under-pressure"}),
    # Session 9: statements without the words an attribute needs (kb/*_words.yaml gates);
    # the model had read each as the attribute.
    ("The workshops produce wooden toys, kitchen tables and doors.", "firm_structure", None),
    ("As diárias da viagem serão depositadas na conta de cada um até sexta-feira.", "altenburg_meyer_stamer", None),
    ("El gerente de ventas de la fábrica de fideos nos mostró la planta y el depósito.", "government_view", None),
    ("Pedimos a los talleres de cerámica los datos de ventas y de personal del año pasado. Dos de los "
     "dueños enseñan soldadura en el instituto.", "cooperative_culture", None),
    ("Gostaríamos de apoiar os produtores de mel da região.", "cooperative_culture", None),
    ("The donor's project document has already fixed the work plan.", "funding_level", None),
    # a wish that a later "but" turns against is not what the note states
    ("The agency wanted to judge the programme on jobs and exports alone, but after the owners objected the "
     "scorecard now also counts joint projects and attendance at the meetings.", "evaluation_focus",
     {"hard-outcomes-only"}),
    # Session 10: one importer ordering more is a buyer, not buyers that rule the chain.
    ("The bead makers cannot keep pace with demand, and a Dutch fair-trade importer has asked for twice last "
     "year's order.", "buyers", {"global-buyers"}),
    # Session 11: buyers who come up ("suben") to the village are no rise in demand.
    ("Cuando suben los compradores de San Cristóbal, los vecinos se los pelean.", "pressure", {"doing-well"}),
    # Session 12: a mature cluster needs words of habit or stagnation; by meaning alone these read as one.
    ("Trout farmers around the lake sell fresh fish in Puno. Demand for their fillets is growing fast and they "
     "would like to start exporting.", "stage", {"maturity"}),
    ("The tanneries pollute the river and several owners have not spoken to each other for years.", "stage",
     {"maturity"}),
    # Session 12: listening to the firms first is no fixed list, nor is how a programme will be judged.
    ("Os técnicos da federação vão primeiro ouvir as empresas de cada polo.", "launch_plan",
     {"fixed-list", "star-speaker"}),
    ("We will meet firms and buyers before anything is designed.", "launch_plan", {"fixed-list", "star-speaker"}),
    ("En el convenio quedó escrito que, a los tres años, el programa se calificará por el número de trabajadores "
     "nuevos y por lo que se exporte, sin ningún otro indicador.", "launch_plan", {"fixed-list"}),
    # Session 12: a cluster to be created needs words of absent firms or of a park to attract them.
    ("The salmon smokers are doing well. None of the owners sees any point in joining forces with the others.",
     "enright", {"policy-driven", "wishful-thinking"}),
    ("A equipe da federação escolheu as ações sem ouvir as empresas.", "enright", {"policy-driven", "wishful-thinking"}),
    # Session 12: family firms and owners working alone are no survival cluster by themselves.
    ("The vanilla growers had their best harvest in years. They told the regional officer they have always "
     "worked alone, trust nobody outside the family and see no reason to start now.", "altenburg_meyer_stamer",
     {"survival"}),
    # Session 12: a building "ready" is no study, nor is a donor's project document.
    ("A esperança é que as empresas se instalem depois que o prédio estiver pronto.", "research_budget",
     {"heavy-before-trust"}),
    ("Uma agência doadora prepara um pacote de 2,8 milhões de dólares para teares novos e viagens a feiras, e o "
     "documento do projeto fala em pôr os tecidos nas lojas de design.", "research_budget", {"heavy-before-trust"}),
    # Session 12: working alone, or employing more "by themselves", is no distrust.
    ("Três fábricas de sandálias empregam sozinhas mais gente do que todas as outras empresas do polo somadas.",
     "cooperative_culture", {"non-cooperative"}),
    ("Milhares de artesãs trabalham sozinhas em casa, sem capacitação, e vendem renda a intermediários por quase "
     "nada.", "cooperative_culture", {"non-cooperative"}),
    # Session 12: producers who take no part in the evaluation are no absent industry.
    ("Un auditor enviado por el ministerio revisará cada trimestre si los cacaoteros cumplieron las metas; "
     "los productores no participan en la evaluación.", "enright", {"wishful-thinking"}),
]


@pytest.mark.parametrize("text, attribute, values", NOT_READ_AS, ids=[text for text, _, _ in NOT_READ_AS])
def test_statements_that_do_not_decide_an_attribute(real_casebase, text, attribute, values):
    read = {item["value"] for item in real_casebase.suggest({"description": text}).to_dict()["inferred"]
            if item["attribute"] == attribute}
    assert not (read if values is None else read & values), read


# Statements the reader missed (session 7): a place's relative clause states the local
# economy; an unfamiliar word for a regional government leads; "never so high" affirms;
# a sum named is the fund's size.
READ_AS = [
    ("The provincial chamber of commerce will lead the initiative in a town where almost everyone "
     "lives from rubber tapping and the rubber factories.", "local_economy", "one-or-two-industries"),
    ("The governorate will lead a programme for the furniture workshops of Damietta.", "lead_body", "government"),
    ("As vendas de café especial nunca estiveram tão altas.", "pressure", "doing-well"),
    ("Un banco de desarrollo ofrece un programa de quince millones de dólares.", "funding_level", "large"),
    # Session 8: the model hears a trend's topic, not its direction, and cooperation's
    # topic, not its sign; the words of kb/trend_words.yaml and kb/cooperation_words.yaml
    # now say which way. Before, the honey statements were read wrongly or not at all by
    # both encoders, the cider one by the bundled int8 encoder.
    ("Since the supermarkets began selling cheap blended honey from outside the EU, the members' prices have "
     "fallen by a quarter, and jars they used to sell in a week now sit on the shelf for a month.",
     "pressure", "under-pressure"),
    ("The cider makers of the valley sell every bottle they make and have waiting lists for their best "
     "vintages.", "pressure", "doing-well"),
    ("The beekeepers compete for the same shops, but they have bottled their honey together in the "
     "cooperative's plant for twelve years, lend one another extractors and trust the joint accounts.",
     "cooperative_culture", "cooperative"),
    # Session 9: a long statement whose words say which way business goes, but which the
    # model finds only loosely about the trend (detail around the claim), is lifted.
    ("Desde que os turistas passaram a voltar no mesmo dia, as casas de pasto da vila perderam boa parte da "
     "clientela de fim de semana, e três fecharam só este ano.", "pressure", "under-pressure"),
    # ... and a statement whose cooperation words name a side, though nearer to a neutral
    # statement or to five other values (joint buying, a joint brand) than to a culture.
    ("Hace años que compran juntas el cuajo y los envases, comparten un técnico y quieren lanzar una "
     "marca común.", "cooperative_culture", "cooperative"),
    # ... and a value the judging words name outright, where the model heard a broad scorecard.
    ("The ministry's leather programme is to be judged on a single number: jobs created by the end of 2028.",
     "evaluation_focus", "hard-outcomes-only"),
    # Session 10: a cluster's decline told by counts then and now, with no word of moving down.
    ("Na Marinha Grande, das catorze fábricas de vidro que havia nos anos oitenta restam quatro.",
     "stage", "decline"),
    # ... a view of government named outright in a long, corrected ("no es ... sino") sentence.
    ("Los queseros fueron clarísimos: lo que más les traba el negocio no es el precio de la leche sino el "
     "propio gobierno regional, que lleva dos años sin darles la autorización para vender fuera.",
     "government_view", "obstacle"),
    # ... a culture's side named by its words in a statement the model finds only loosely
    # about cooperation (lifted, CULTURE_LIFT).
    ("Las tejedoras tienen pedidos hasta el verano, pero cada casa cuida sus diseños como secreto de familia, "
     "y jamás se han puesto de acuerdo ni para compartir un puesto en la feria.",
     "cooperative_culture", "non-cooperative"),
    # ... and a one-industry town in other words than the examples'.
    ("En Mao casi todo el mundo come del guineo: las fincas, las empacadoras y hasta los colmados viven de "
     "los embarques de cada semana.", "local_economy", "one-or-two-industries"),
    # Session 11: a negation before a colon ("no se guardaron nada: ...") negates nothing after it.
    ("Y no se guardaron nada: lo que más les traba el negocio, dijeron, no son los chinos sino el propio "
     "gobierno, con la factura electrónica de Hacienda y los meses que tarda cualquier trámite.",
     "government_view", "obstacle"),
    # ... and a district's industries department, named by the leading words, is government.
    ("The district industries department intends to lead a cluster initiative for the town's cutlery makers and "
     "has already named one of its officers to run it.", "lead_body", "government"),
    # Session 12: a budget called moderate is moderate, though "a huge programme" is named (and denied).
    ("A donor offers a moderate budget, well beyond seed money but not a huge programme, for looms, yarn and a "
     "sales centre over three years.", "funding_level", "moderate"),
    # Session 12: nobody having worked out the monitoring is none planned, not the firms' own indicators.
    ("The Private Sector Federation has picked the milk collection centres and small dairies for a national "
     "cluster programme, to be run from the capital. It comes with a fund of about six million dollars. Nobody "
     "has worked out how the programme will be monitored or evaluated; the concept note is silent on it.",
     "monitoring_style", "none"),
    # Session 13: two negations that make an "every" affirm (almost every job passes through
    # leather), and a quantity between a move and its measure ("lost a good share of their
    # orders") no longer hides the move.
    ("Aqui quase não há emprego que não passe pela pele: das fábricas de curtumes vivem os transportadores, "
     "as oficinas de manutenção e os fornecedores de químicos.", "local_economy", "one-or-two-industries"),
    ("The area's hundred-odd family-owned firms have lost a good share of their orders since the big car makers "
     "cut back in 2024, and several have put staff on short-time work.", "pressure", "under-pressure"),
    # Session 13: a statement whose only negation qualifies it ("jobs they cannot take") is
    # read through its affirmative rest, and lending each other machines is acting together.
    ("Yet the owners still lend each other machines and operators when one of them is swamped, pass on jobs "
     "they cannot take, and meet once a month at breakfast in the industry association's rooms.",
     "cooperative_culture", "cooperative"),
    # ... and "filiais" is glossed: subsidiaries of foreign groups.
    ("Quase todas são filiais de grupos japoneses, coreanos e chineses.", "ownership", "external"),
    # Session 13: a negation that leaves one thing affirms it ("no hay más trabajo que el
    # zapato": there is no work but shoes; "carved furniture or nothing").
    ("En Brea prácticamente no hay más trabajo que el zapato: de él viven las fábricas, los talleres de aparado "
     "y los almacenes de pieles.", "local_economy", "one-or-two-industries"),
    ("In Chiniot it is carved furniture or nothing: apart from the workshops, the timber depots and the truckers, "
     "the town has next to no other livelihood.", "local_economy", "one-or-two-industries"),
    # Session 13: buyers named by their own phrases ("redes de supermercados") are read in a
    # statement that also negates something ("não deixam nenhuma fazenda usar marca própria").
    ("Quase tudo o que eles plantam vai para duas redes de supermercados inglesas e uma holandesa, que decidem a "
     "cada semana quanto pagam pela caixa, impõem a embalagem e não deixam nenhuma fazenda usar marca própria.",
     "buyers", "global-buyers"),
    # Session 13: a government that puts up most of the money drives the initiative.
    ("The regional government, which puts up most of the money, has already laid out the programme for the "
     "subcontractors.", "driver", "public"),
]


@pytest.mark.parametrize("text, attribute, value", READ_AS, ids=[text[:40] for text, _, _ in READ_AS])
def test_statements_that_decide_an_attribute(real_casebase, text, attribute, value):
    read = {item["attribute"]: item["value"] for item in real_casebase.suggest({"description": text}).to_dict()["inferred"]}
    assert read.get(attribute) == value, read


def test_a_short_clause_naming_a_side_is_read_and_a_trip_up_is_no_rise(real_casebase):
    """Session 11, fresh21's Ráquira potters: "Entre los artesanos no hay confianza: ..."
    was only a contrast (a short clause), "afiliados de todos los oficios" named joint
    work, and "los compradores que suben los fines de semana" (who come up) was demand."""
    profiles = yaml.safe_load((REPO_ROOT / "tests" / "data" / "advisor_fresh21.yaml").read_text(encoding="utf-8"))
    entry = next(entry for entry in profiles["profiles"] if entry["name"].startswith("fresh21-es-raquira"))
    read = {item["attribute"]: item["value"]
            for item in real_casebase.suggest(entry["profile"]).to_dict()["inferred"]}
    assert read.get("cooperative_culture") == "non-cooperative", read
    assert read.get("pressure") != "doing-well", read


def test_almost_all_of_them_doing_the_same_is_no_one_industry_town(product_casebase):
    """Session 13, fresh23's Inhambane tinsmiths: "Fazem quase todos a mesma coisa" (almost
    all make the same thing) let the statement's clauses be read as the local economy once
    a clause was read without its negated qualifier ("quase sem ganho")."""
    profiles = yaml.safe_load((REPO_ROOT / "tests" / "data" / "advisor_fresh23.yaml").read_text(encoding="utf-8"))
    entry = next(entry for entry in profiles["profiles"] if entry["name"].startswith("fresh23-pt-inhambane"))
    read = {item["attribute"]: item["value"]
            for item in product_casebase.suggest(entry["profile"]).to_dict()["inferred"]}
    assert "local_economy" not in read, read
    assert read.get("altenburg_meyer_stamer") == "survival", read


def test_next_to_no_other_livelihood_plans_nothing(product_casebase):
    """Session 13, fresh22's Chiniot carvers: once "it is carved furniture or nothing" was
    read as affirming, "next" (to no other livelihood) made it a plan, and the product's
    encoder read an activity from it."""
    text = ("In Chiniot it is carved furniture or nothing: apart from the workshops, the timber depots, the "
            "polishers and the truckers who haul beds down to Lahore and Karachi, the town has next to no other "
            "livelihood.")
    read = {item["attribute"]: item["value"] for item in product_casebase.suggest({"description": text}).to_dict()["inferred"]}
    assert "activities" not in read, read
    assert read.get("local_economy") == "one-or-two-industries", read


def test_big_brands_that_compete_do_not_rule_the_market(product_casebase):
    """Session 13, fresh9's Salinas cachaça makers: once buyers named by their phrases were
    lifted, "a concorrência das grandes marcas" (competition from the big brands) read as
    buyers ruling the chain; only brands the firms make for ("para grandes marcas") are."""
    text = "Os alambiques de Salinas perderam muitos clientes com a concorrência das grandes marcas."
    read = {item["attribute"]: item["value"] for item in product_casebase.suggest({"description": text}).to_dict()["inferred"]}
    assert read.get("buyers") != "global-buyers", read


# Session 13, on notes first met in fresh24 and neutral15: a donor or a venue named with
# the word "cooperation", and an event starting at an hour, state no culture and no lead.
NAMED_NOT_STATED = [
    ("O fundo de cooperação traz para o projecto 600 mil dólares em três anos, com subsídios para máquinas "
     "eléctricas, uma sala de corte comum e uma bolsa para cada alfaiate que se inscrever.", "cooperative_culture"),
    ("Como a Feira da Castanha de Marvão ocupa o fim de semana, a reunião com os produtores passa para "
     "quarta-feira, na sede da cooperativa. A Graça avisa os sócios por SMS.", "cooperative_culture"),
    ("La charla del profesor de la universidad para los alfareros de Pomaire empieza a las diez en el gimnasio "
     "municipal. Pidió un micrófono inalámbrico, una extensión eléctrica y un vaso de agua en la mesa.", "lead_body"),
]


@pytest.mark.parametrize("text, attribute", NAMED_NOT_STATED, ids=[text[:30] for text, _ in NAMED_NOT_STATED])
def test_a_body_or_an_hour_named_states_nothing(product_casebase, text, attribute):
    read = {item["attribute"]: item["value"] for item in product_casebase.suggest({"description": text}).to_dict()["inferred"]}
    assert attribute not in read, read
