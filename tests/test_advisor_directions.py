"""The words that say which way a statement goes (kb/trend_words.yaml,
kb/cooperation_words.yaml), read without the model."""

from pathlib import Path

import pytest
import yaml

from indexer.advisor.cooperation import COOPERATION_FILE, load_cooperation_words
from indexer.advisor.values import BUYERS_FILE, load_value_words
from indexer.advisor.words import load_directions
from indexer.advisor.gates import GATE_FILES, LEADING_FILE, PLAN_FILE, GateWords, load_gate_words
from indexer.advisor.sentences import fold_for
from indexer.advisor.trends import STAGE_FILE, TREND_FILE, load_trend_words

from tests.conftest import REPO_ROOT


def _words(node, language=None):
    """(language, word) for every word or phrase of a words file's per-language lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _words(value, key if key in ("en", "es", "pt") else language)
    elif isinstance(node, list) and language:
        for word in node:
            yield language, str(word)


@pytest.mark.parametrize("name", [TREND_FILE, STAGE_FILE, COOPERATION_FILE, BUYERS_FILE, *GATE_FILES])
def test_the_bundled_words_are_folded_as_the_reader_folds_statements(name):
    data = yaml.safe_load((REPO_ROOT / name).read_text(encoding="utf-8"))
    unfolded = [(language, word) for language, word in _words(data) if fold_for(word, language) != word]
    assert unfolded == []


@pytest.mark.parametrize("text, language, value", [
    ("The members' prices have fallen by a quarter since the supermarkets sell cheap honey.", "en",
     "under-pressure"),
    ("As casas de fumeiro venderam quase um terço menos em dois anos.", "pt", "under-pressure"),
    ("Los camaroneros enfrentan precios cada vez más bajos.", "es", "under-pressure"),
    ("Demand for cut orchids has grown every year and prices are good.", "en", "doing-well"),
    ("Las tejedoras venden bajo su propia marca en la feria.", "es", None),
    ("As fábricas perderam boa parte das encomendas.", "pt", "under-pressure"),
    ("Mais de quarenta empresas exportam.", "pt", None),
    # Cost-sharing, no rising costs.
    ("The winners co-finance a growing share of the costs each year.", "en", None),
    # Session 10: a backlog of orders, with words between; selling below cost.
    ("Las familias tejedoras tienen pedidos de dos galerías hasta el próximo verano.", "es", "doing-well"),
    ("The bead makers cannot keep pace with demand.", "en", "doing-well"),
    ("El kilo se paga por debajo de lo que cuesta cosecharlo.", "es", "under-pressure"),
    # Session 11 (fresh21): cheap competition by its price, a worth that halves, the best
    # year anyone has seen, output booked ahead.
    ("Los almacenes venden loza china a menos de la mitad.", "es", "under-pressure"),
    ("O quilo da fibra vale quase a metade do que valia em 2023.", "pt", "under-pressure"),
    ("Printed fabric from China sells at a third of the price of hand-dyed cloth.", "en", "under-pressure"),
    ("Con el precio que tiene el cacao, los socios no habían visto un año igual.", "es", "doing-well"),
    ("As oficinas de opala nunca tiveram um ano assim.", "pt", "doing-well"),
    ("The shoe workshops are working flat out.", "en", "doing-well"),
    ("Cuando suben los compradores de San Cristóbal, los vecinos se los pelean.", "es", None),
    ("Los intermediarios pagan hoy el kilo casi un 40 % por debajo de hace dos cosechas.", "es", "under-pressure"),
])
def test_the_trend_words_name_the_direction_of_business(text, language, value):
    assert load_trend_words(REPO_ROOT).value_of(text, language) == value


@pytest.mark.parametrize("text, language, value", [
    ("Metade das serrações da zona está fechada.", "pt", "decline"),
    ("The number of firms has doubled in ten years.", "en", "growth"),
    ("Das empresas que resistem, as duas maiores mudaram de mãos há pouco.", "pt", None),
    ("Sales fell by a third.", "en", None),  # pressure, not the cluster's life cycle
    # Counts then and now, with no word of moving down.
    ("Das catorze fábricas de vidro que havia nos anos oitenta restam quatro.", "pt", "decline"),
    ("En los años noventa la ciudad tenía más de cuatrocientas fábricas, hoy quedan menos de ciento cincuenta.",
     "es", "decline"),
    ("Over the last ten years the machine shops have gone from about sixty to fewer than twenty.", "en", "decline"),
    ("In 2015 there were twelve workshops and today there are thirty.", "en", "growth"),
    # Session 10 (fresh20): the count's setting word comes before it, and any noun counted
    # is the cluster's firms.
    ("Nos anos oitenta trabalhavam aqui mais de quarenta lagares e hoje moem onze.", "pt", "decline"),
    # Session 11: the count now is the first after the earlier one, not a later age.
    ("In the eighties the town had well over forty workshops; today there are nine, the youngest owner "
     "is fifty-eight.", "en", "decline"),
    ("Entre las cuatro han botado este año dos embarcaciones, cuando hace quince años salían diez o doce.",
     "es", "decline"),
    ("Hoy queda una sola congeladora comprando.", "es", "decline"),
    # The orders were lost, not the factories; a size is no move.
    ("As fábricas de semijoias da cidade perderam boa parte das encomendas.", "pt", None),
    ("Its members run from two large exporters to about 150 small workshops with fewer than ten.", "en", None),
])
def test_the_stage_words_name_growth_or_decline(text, language, value):
    assert load_trend_words(REPO_ROOT, STAGE_FILE).value_of(text, language) == value


@pytest.mark.parametrize("text, language, value", [
    ("They have bottled their honey together for twelve years and trust the joint accounts.", "en", "cooperative"),
    ("None of the growers sees a point in working with the others: they keep their buyers to themselves, "
     "and two of them laughed when we mentioned a joint project.", "en", "non-cooperative"),
    ("Suppliers range from a few firms that cooperate on logistics to many that keep everything to themselves.",
     "en", "mixed"),
    ("The first project we propose is a joint laboratory where firms develop a coating together.", "en", None),
    ("El galpón de empaque es de todos: lo pagaron entre todos.", "es", "cooperative"),
    ("Cada uno vende por su cuenta y desconfían de los vecinos.", "es", "non-cooperative"),
    ("Almoçámos com o presidente da junta de freguesia.", "pt", None),
    ("The owners distrust each other.", "en", "non-cooperative"),
    # Session 9: a photocopy is no copying of designs; a statement with no word of the
    # topic states no culture; one with the topic's words but no side leaves it to the model.
    ("The clerk will circulate a typed copy next week.", "en", None),
    ("Pedimos a los talleres de cerámica los datos de ventas del año pasado.", "es", None),
    ("The makers are rivals at the fair but meet every month.", "en", "*"),
    ("Os produtores se conhecem há gerações.", "pt", "*"),
    # Session 11: "tampoco" negates; a lone joint idea is a plan, not the culture.
    ("Tampoco se fían unos de otros.", "es", "non-cooperative"),
    ("Every owner plays his cards close to his chest.", "en", "non-cooperative"),
    ("A resposta foi sempre a mesma: cada fábrica trata da sua vida e nunca precisaram umas das outras.", "pt",
     "non-cooperative"),
    ("The one joint idea anybody put forward was to buy soda together from a single dealer.", "en", None),
])
def test_the_cooperation_words_name_the_sign_of_working_together(text, language, value):
    assert load_cooperation_words(REPO_ROOT).value_of(text, language) == value


@pytest.mark.parametrize("text, attribute, value", [
    # Session 8: the rules' phrase "chamber of commerce" read a host as the lead.
    ("The chamber of commerce has lent us its second-floor meeting room for Friday.", "lead_body", None),
    ("The town's chamber of commerce will run the programme.", "lead_body", "chamber"),
    ("La Secretaría de Agricultura del gobierno provincial nos presta su sala.", "driver", None),
    ("El gobierno provincial liderará el programa.", "driver", "public"),
])
def test_a_body_named_without_a_verb_of_leading_is_not_read_as_the_lead(text, attribute, value):
    from tests.documents_store_fixtures import phrase_reader
    assert phrase_reader()(text).values().get(attribute) == value


def test_content_without_the_files_has_no_direction_words(tmp_path):
    assert load_directions(tmp_path) == []


@pytest.mark.parametrize("name, loader", [(TREND_FILE, load_trend_words), (COOPERATION_FILE, load_cooperation_words),
                                          (LEADING_FILE, load_gate_words), (PLAN_FILE, load_gate_words),
                                          (BUYERS_FILE, load_value_words)])
def test_a_malformed_words_file_is_named_in_the_error(tmp_path, name, loader):
    path = tmp_path / name
    path.parent.mkdir(parents=True)
    path.write_text("attribute: pressure\n", encoding="utf-8")
    with pytest.raises(ValueError, match=str(Path(name))):
        loader(tmp_path)
    path.write_text("attribute: [pressure\n", encoding="utf-8")  # not YAML
    with pytest.raises(ValueError, match=str(Path(name))):
        loader(tmp_path)


def test_the_bundled_words_name_values_the_examples_have():
    examples = yaml.safe_load((REPO_ROOT / "kb" / "attribute_examples.yaml").read_text(encoding="utf-8"))["attributes"]
    for words in load_directions(REPO_ROOT):
        if isinstance(words, GateWords):
            continue  # gate words name no value
        named = {value for name, value in vars(words).items() if name.endswith("_value")}
        assert named <= set(examples[words.attribute]["values"]), (words.attribute, named)


@pytest.mark.parametrize("text, language, value", [
    ("Cada uma vende com marca própria a centenas de lojas.", "pt", "own-markets"),
    ("Os ourives vendem com marca própria a joalharias de Paris e Tóquio.", "pt", "own-markets"),
    ("Three European supermarket chains set the price week by week.", "en", "global-buyers"),
    ("Los talleres cosen para marcas extranjeras.", "es", "global-buyers"),
    ("They export to a dozen small importers in France.", "en", "*"),  # the topic, no side: the model's
    ("Hay que llevar tres copias impresas de la presentación.", "es", None),  # session 9: no topic at all
    # Session 10: the buyers deciding the models and the prices.
    ("Fabricam quase tudo para duas grandes marcas internacionais, que decidem os modelos e os preços.", "pt",
     "global-buyers"),
    ("The brands set the prices and move orders between the factories.", "en", "global-buyers"),
])
def test_the_buyers_words_name_who_rules_the_market(text, language, value):
    assert load_value_words(REPO_ROOT)[0].value_of(text, language) == value


@pytest.mark.parametrize("attribute, text, needed", [
    ("lead_body", "The chamber of commerce has lent us its second-floor meeting room for Friday.", False),
    ("lead_body", "A câmara municipal cedeu o salão nobre para a reunião.", False),
    ("lead_body", "El municipio liderará el programa para los fabricantes de calzado.", True),
    ("driver", "The Ministry's national cluster programme has picked the town's gem cutters.", True),
    ("driver", "La asociación de exportadores llevará adelante la iniciativa.", True),
    ("activities", "The bookkeeping course of the institute starts on 2 March and has twenty-four enrolled.", False),
    ("activities", "We saw the evening classes at the technical school.", False),
    ("activities", "What they want to do first is buy glass jars, lids and labels together.", True),
    ("activities", "Queremos empezar con capacitación básica y con microcrédito.", True),
    ("activities", "O primeiro projeto será uma central de compras.", True),
    ("activities", "The travel allowances will be paid into each one's account by Friday.", False),
    ("activities", "We will start with joint purchasing of clay.", True),
    ("evaluation_focus", "A reunião sobre exportações passou para a sala 3 do Sebrae.", False),
    ("evaluation_focus", "The project will be judged only on jobs created and export growth.", True),
    ("monitoring_style", "Evaluators will come twice a year to inspect each village group.", True),
    ("research_budget", "O consultor da federação pediu os contactos dos doze viveiristas.", False),
    ("research_budget", "Cuando el documento esté terminado se presentará a los empresarios.", True),
    ("firm_structure", "The workshops produce wooden toys, kitchen tables and doors.", False),
    ("firm_structure", "Não pode ser emprestado, só fotocopiado no balcão.", False),
    ("firm_structure", "Its members are two large factories and about three hundred small family workshops.", True),
    ("firm_structure", "Casi todos los talleres son familiares.", True),
    ("firm_structure", "As empresas fabricam móveis numa cidade pequena.", False),  # the town is small
    ("firm_structure", "Small workshops in a small town.", True),
    ("approach", "The ministry's letterhead for the invitation letters is attached.", False),
    ("approach", "El Ministerio de Producción quiere encabezar un programa provincial.", True),
    ("government_view", "El gerente de ventas de la fábrica de fideos nos mostró la planta.", False),
    ("government_view", "Para os oleiros, a própria prefeitura é quem mais atrapalha.", True),
    ("government_view", "El registro de la alcaldía lista 34 fábricas de dulces.", False),
    ("government_view", "The municipality lends its hall for the meeting on 9 May.", False),
    ("ownership", "The spreadsheet lists 143 firms by district, with addresses and phone numbers.", False),
    ("ownership", "Cuatro de las seis plantas son de grupos españoles y chinos.", True),
    ("launch_plan", "Las decisiones sobre inversiones se toman en la casa matriz.", False),
    ("launch_plan", "It will open with a lecture by a world-famous business professor.", True),
    ("altenburg_meyer_stamer", "As diárias da viagem serão depositadas na conta de cada um até sexta-feira.", False),
    ("altenburg_meyer_stamer", "Hundreds of weavers work from home, with no formal training.", True),
    ("funding_level", "The donor's project document has already fixed the work plan.", False),
    ("local_economy", "The firms make furniture in a small town.", False),
    ("local_economy", "A town that lives almost entirely from the nickel mine.", True),
    ("local_economy", "Na cidade quase tudo depende do calçado.", True),
    ("funding_level", "Un fondo de quince millones de dólares para los talleres.", True),
])
def test_gate_words_tell_a_statement_that_can_state_the_attribute_from_a_mention(attribute, text, needed):
    from indexer.advisor.sentences import language_of
    words = next(words for words in load_gate_words(REPO_ROOT) if words.attribute == attribute)
    assert (words.value_of(text, language_of(text)) is not None) == needed


@pytest.mark.parametrize("text, fires", [
    # Session 9: a ministry named as a host or a sender read nothing, yet the rules took
    # "the ministry" from the text themselves and fired public top-down financing.
    ("The ministry's regional director asked for a copy of the 2019 study before our meeting on the 14th.", False),
    ("The Ministry for Primary Industries has let us have its boardroom for Tuesday.", False),
    ("The Ministry of Industry will lead a national cluster programme for the furniture makers.", True),
])
def test_the_rules_take_no_phrase_from_a_statement_that_cannot_state_it(text, fires):
    from indexer.advisor.rules import fire_all
    from indexer.checking import load_library
    from indexer.advisor.profile import Profile
    from tests.documents_store_fixtures import phrase_reader
    content = load_library(REPO_ROOT)
    reading = phrase_reader()(text)
    profile = Profile.from_mapping({"description": text, **reading.values()}, content.vocabulary)
    fired = {firing.rule.id for firing in fire_all(content.rules, profile, undecided=reading.phraseless,
                                                   text=reading.text)}
    assert ("public-top-down-financing" in fired) == fires, (fired, reading.unstated)


@pytest.mark.parametrize("text, value", [
    # Session 9: "judged on a single number: jobs created" read as a broad scorecard.
    ("The programme is to be judged on a single number: jobs created by 2028.", "hard-outcomes-only"),
    ("Results will be measured by jobs and exports, and also by trust and new networks.", "broad"),
    ("We will count the new networks, not only the jobs.", "broad"),
    ("Results will be measured every six months.", "*"),
    ("A reunião sobre exportações passou para a sala 3.", None),
])
def test_judging_words_name_what_success_is_judged_on(text, value):
    from indexer.advisor.sentences import language_of
    words = next(words for words in load_gate_words(REPO_ROOT) if words.attribute == "evaluation_focus")
    assert words.value_of(text, language_of(text)) == value



@pytest.mark.parametrize("text, language, attribute, value", [
    # Session 10: the model heard a county as a chamber and an association of industries
    # as a public driver; the body named says which.
    ("Isiolo County wants to turn the new zone into a garment cluster.", "en", "lead_body", "government"),
    ("The initiative is being launched nationwide by the Association of Ghana Industries.", "en", "driver",
     "private"),
    ("La reunión fue en la Cámara de Comercio, que se ofreció para dirigir el proyecto.", "es", "lead_body",
     "chamber"),
    ("A Câmara Municipal quer conduzir a iniciativa com a conserveira.", "pt", "lead_body", "government"),
    ("The ministry asked the association to lead.", "en", "lead_body", "*"),  # two bodies: the model decides
    ("The head of the vocational school showed us around.", "en", "lead_body", None),
])
def test_the_words_of_leading_name_the_body_that_leads(text, language, attribute, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates[attribute].value_of(text, language) == value


def test_a_value_the_statement_s_own_words_name_outweighs_its_gloss():
    # The gloss makes "associação comercial" a chamber of commerce, which left the lead unread.
    import numpy as np

    from indexer.advisor.examples import ExampleBank, load_lexicon
    from indexer.advisor.inference import DescriptionReader
    from indexer.checking import load_library

    reader = DescriptionReader(ExampleBank({}), load_lexicon(REPO_ROOT), load_library(REPO_ROOT).rules, None,
                               directions=load_directions(REPO_ROOT))
    statement = "A associação comercial e industrial vai conduzir o projeto."
    assert reader._named("lead_body", [statement], np.zeros(1, dtype=np.int64), 1) == ["business-association"]


@pytest.mark.parametrize("text, language", [
    ("Terminamos en la sede de la junta de vecinos, donde esperaban veinte productores.", "es"),
    ("A reunião foi na associação de moradores do bairro.", "pt"),
])
def test_a_body_s_name_states_no_culture(text, language):
    assert load_cooperation_words(REPO_ROOT).value_of(text, language) is None


@pytest.mark.parametrize("text, language, value", [
    ("Según la municipalidad, de cada diez empleos del cantón ocho están en esos talleres.", "es", "*"),
    ("En Mao casi todo el mundo come del guineo.", "es", "one-or-two-industries"),
    # Jobs and the economy named are no statement about what the place lives from.
    ("O programa será julgado apenas pelo número de empregos formais criados.", "pt", None),
    ("É a câmara que vai dirigir o programa, com o vereador da economia à frente.", "pt", None),
])
def test_the_economy_words_tell_what_a_place_lives_from(text, language, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates["local_economy"].value_of(text, language) == value


@pytest.mark.parametrize("text, language, value", [
    ("Lo que más les traba el negocio no es el precio de la leche sino el propio gobierno regional.", "es",
     "obstacle"),
    ("Hoje os armadores falam da câmara como de uma aliada.", "pt", "partner"),
    ("The ministry lent us its hall.", "en", None),  # a body named, no view of it
    # Session 11 (fresh16, fresh17): other words for the first of their problems.
    ("Every exporter we met put the government at the top of their list of problems.", "en", "obstacle"),
    ("Os donos disseram-nos que o que mais lhes trava o negócio é o próprio Estado.", "pt", "obstacle"),
])
def test_the_government_words_name_how_firms_see_government(text, language, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates["government_view"].value_of(text, language) == value


@pytest.mark.parametrize("text, value", [
    # Session 10: a large sum paid for studies is heavy research spending, read precisely.
    ("The Welsh Government has paid consultants some £380,000 to map the boatyards and write a strategy.",
     "heavy-before-trust"),
    ("A survey of the workshops costing $8,000 is planned.", None),
    ("The boat builders sell yachts worth £380,000 each.", None),  # no study
])
def test_a_sum_paid_for_studies_is_heavy_research_spending(text, value):
    from tests.documents_store_fixtures import phrase_reader
    assert phrase_reader()(text).values().get("research_budget") == value


@pytest.mark.parametrize("text, language, value", [
    ("In February the carvers themselves will decide what, if anything, is worth studying.", "en", "modest"),
    ("El diagnóstico se llevará casi todo el presupuesto.", "es", "heavy-before-trust"),
])
def test_the_study_words_name_how_much_research_comes_first(text, language, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates["research_budget"].value_of(text, language) == value


@pytest.mark.parametrize("text, language, value", [
    ("Umas cento e vinte famílias curtem couro no terreiro de casa, sem CNPJ nem nota fiscal.", "pt", "survival"),
    ("Owners trust each other and already work together through informal networks.", "en", None),
    ("As quatro empresas que compram a folha pertencem a grupos multinacionais.", "pt", "transnational"),
])
def test_the_typology_words_name_a_type_outright(text, language, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates["altenburg_meyer_stamer"].value_of(text, language) == value


def test_a_parliamentary_amendment_is_money_for_the_initiative():
    from indexer.advisor.amounts import funding_level
    assert funding_level("Com uma emenda parlamentar de R$ 2,4 milhões já empenhada, a prefeitura quer comprar "
                         "máquinas.") == "moderate"


@pytest.mark.parametrize("text, language, value", [
    ("La oficina quiere abrir la iniciativa trayendo desde Monterrey a un expositor de renombre.", "es",
     "star-speaker"),
    ("El presidente municipal llegó con su lista de doce actividades, cada una con su mes.", "es", "fixed-list"),
    ("The first workshop is on 3 May.", "en", "*"),  # the topic, no value named
])
def test_the_launch_words_name_how_the_initiative_opens(text, language, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates["launch_plan"].value_of(text, language) == value


@pytest.mark.parametrize("text, fires", [
    ("Isiolo County wants to turn the new zone into a garment cluster, although the county has no clothing "
     "factory, large or small.", True),
    ("The town has no cold storage plant yet.", False),
])
def test_a_place_with_no_factory_of_the_industry_has_no_cluster_to_promote(text, fires):
    from indexer.advisor.profile import Profile
    from indexer.advisor.rules import fire_all
    from indexer.checking import load_library

    content = load_library(REPO_ROOT)
    fired = {firing.rule.id for firing in fire_all(content.rules, Profile.from_mapping({"description": text},
                                                                                           content.vocabulary))}
    assert ("no-critical-mass" in fired) == fires


@pytest.mark.parametrize("text, language, value", [
    ("Para acompanhar o projeto, serão eles a definir os indicadores e a revê-los todos os meses.", "pt",
     "participatory"),
    ("Uma equipe de Brasília virá auditar cada oficina com indicadores próprios, sem os oleiros darem palpite.",
     "pt", "external-inspection"),
])
def test_the_judging_words_name_who_sets_the_indicators(text, language, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates["monitoring_style"].value_of(text, language) == value


def test_a_price_per_head_is_no_budget():
    # Session 10 (neutral12): refreshments at 150 shillings a head read as seed money.
    from indexer.advisor.amounts import funding_level
    assert funding_level("Tea and coffee go under budget line 3.2, refreshments, at 150 shillings a head.") is None
    assert funding_level("A fund of two million dollars is run from a head office in Lisbon.") == "large"


@pytest.mark.parametrize("text, language, value", [
    ("The evaluation form template is on the shared drive under Forms.", "en", None),
    ("Vienen de la mejor campaña que recuerdan: colocaron toda la fruta.", "es", "doing-well"),
])
def test_session_10_words_found_on_the_sealed_sets(text, language, value):
    loader = load_cooperation_words if value is None else load_trend_words
    assert loader(REPO_ROOT).value_of(text, language) == value


def test_a_purpose_clause_negates_nothing():
    from indexer.advisor.sentences import negates
    assert not negates("They agree among themselves when each will harvest, so as not to flood the market.", "en")
    assert negates("They never agree among themselves.", "en")


@pytest.mark.parametrize("text, language, value", [
    # Session 11 (neutral13): a hall set aside for a meeting is no fund set aside.
    ("A Câmara Municipal de Barcelos reservou-nos o salão nobre para quinta-feira.", "pt", None),
    ("A prefeitura reservou 300 mil reais para o programa.", "pt", "government"),
])
def test_the_leading_words_tell_money_set_aside_from_a_hall_booked(text, language, value):
    gates = {words.attribute: words for words in load_gate_words(REPO_ROOT)}
    assert gates["lead_body"].value_of(text, language) == value
