"""The names of Sweden's and Finland's municipalities and regions, which the place lists of
the name lexicon (:mod:`cape_study.privacy.lexicon`: GeoNames' places of at least 500
people) lack when a municipality is named otherwise than its seat (*Österåker*, seat
Åkersberga; *Botkyrka*, seat Tumba; *Sipoo*, seat Nikkilä).

Sources (public lists, written out here): Statistics Sweden (SCB), *Kommuner och län*
(the 290 municipalities and 21 counties, 2024) and the provinces (*landskap*); Statistics
Finland, *Kuntaluokitus 2024* (the municipalities, with the Swedish names of the
bilingual ones) and the regions (*maakunnat*). A word of these is a place wherever a
capitalised word alone could be taken for a last name (:class:`UnlistedNames`).
"""

from __future__ import annotations

__all__ = ["MUNICIPALITIES"]

_SWEDEN = """
Botkyrka Danderyd Ekerö Haninge Huddinge Järfälla Lidingö Nacka Norrtälje Nykvarn Nynäshamn
Salem Sigtuna Sollentuna Solna Stockholm Sundbyberg Södertälje Tyresö Täby Upplands-Bro
Upplands_Väsby Vallentuna Vaxholm Värmdö Österåker
Enköping Heby Håbo Knivsta Tierp Uppsala Älvkarleby Östhammar
Eskilstuna Flen Gnesta Katrineholm Nyköping Oxelösund Strängnäs Trosa Vingåker
Boxholm Finspång Kinda Linköping Mjölby Motala Norrköping Söderköping Vadstena Valdemarsvik
Ydre Åtvidaberg Ödeshög
Aneby Eksjö Gislaved Gnosjö Habo Jönköping Mullsjö Nässjö Sävsjö Tranås Vaggeryd Vetlanda
Värnamo
Alvesta Lessebo Ljungby Markaryd Tingsryd Uppvidinge Växjö Älmhult
Borgholm Emmaboda Hultsfred Högsby Kalmar Mönsterås Mörbylånga Nybro Oskarshamn Torsås
Vimmerby Västervik
Gotland
Karlshamn Karlskrona Olofström Ronneby Sölvesborg
Bjuv Bromölla Burlöv Båstad Eslöv Helsingborg Hässleholm Höganäs Hörby Höör Klippan
Kristianstad Kävlinge Landskrona Lomma Lund Malmö Osby Perstorp Simrishamn Sjöbo Skurup
Staffanstorp Svalöv Svedala Tomelilla Trelleborg Vellinge Ystad Åstorp Ängelholm Örkelljunga
Östra_Göinge
Falkenberg Halmstad Hylte Kungsbacka Laholm Varberg
Ale Alingsås Bengtsfors Bollebygd Borås Dals-Ed Essunga Falköping Färgelanda Grästorp
Gullspång Göteborg Götene Herrljunga Hjo Härryda Karlsborg Kungälv Lerum Lidköping
Lilla_Edet Lysekil Mariestad Mark Mellerud Munkedal Mölndal Orust Partille Skara Skövde
Sotenäs Stenungsund Strömstad Svenljunga Tanum Tibro Tidaholm Tjörn Tranemo Trollhättan
Töreboda Uddevalla Ulricehamn Vara Vårgårda Vänersborg Åmål Öckerö
Arvika Eda Filipstad Forshaga Grums Hagfors Hammarö Karlstad Kil Kristinehamn Munkfors
Storfors Sunne Säffle Torsby Årjäng
Askersund Degerfors Hallsberg Hällefors Karlskoga Kumla Laxå Lekeberg Lindesberg
Ljusnarsberg Nora Örebro
Arboga Fagersta Hallstahammar Kungsör Köping Norberg Sala Skinnskatteberg Surahammar Västerås
Avesta Borlänge Falun Gagnef Hedemora Leksand Ludvika Malung-Sälen Mora Orsa Rättvik
Smedjebacken Säter Vansbro Älvdalen
Bollnäs Gävle Hofors Hudiksvall Ljusdal Nordanstig Ockelbo Ovanåker Sandviken Söderhamn
Härnösand Kramfors Sollefteå Sundsvall Timrå Ånge Örnsköldsvik
Berg Bräcke Härjedalen Krokom Ragunda Strömsund Åre Östersund
Bjurholm Dorotea Lycksele Malå Nordmaling Norsjö Robertsfors Skellefteå Sorsele Storuman Umeå
Vilhelmina Vindeln Vännäs Åsele
Arjeplog Arvidsjaur Boden Gällivare Haparanda Jokkmokk Kalix Kiruna Luleå Pajala Piteå
Älvsbyn Överkalix Övertorneå
Blekinge Bohuslän Dalarna Dalsland Gästrikland Halland Hälsingland Jämtland Lappland
Medelpad Norrbotten Närke Skåne Småland Södermanland Uppland Värmland Västerbotten
Västergötland Västernorrland Västmanland Ångermanland Öland Östergötland Kronoberg Gävleborg
"""

_FINLAND = """
Akaa Alajärvi Alavieska Alavus Asikkala Askola Aura Brändö Eckerö Enonkoski Enontekiö Espoo
Eura Eurajoki Evijärvi Finström Forssa Föglö Geta Haapajärvi Haapavesi Hailuoto Halsua
Hamina Hammarland Hankasalmi Hanko Harjavalta Hartola Hattula Hausjärvi Heinola Heinävesi
Helsinki Hirvensalmi Hollola Huittinen Humppila Hyrynsalmi Hyvinkää Hämeenkyrö Hämeenlinna
Iisalmi Iitti Ikaalinen Ilmajoki Ilomantsi Imatra Inari Inkoo Isojoki Isokyrö Janakkala
Joensuu Jokioinen Jomala Joroinen Joutsa Juuka Juupajoki Juva Jyväskylä Jämijärvi Jämsä
Järvenpää Kaarina Kaavi Kajaani Kalajoki Kangasala Kangasniemi Kankaanpää Kannonkoski Kannus
Karijoki Karkkila Karstula Karvia Kaskinen Kauhajoki Kauhava Kauniainen Kaustinen Keitele
Kemi Kemijärvi Keminmaa Kemiönsaari Kempele Kerava Keuruu Kihniö Kinnula Kirkkonummi Kitee
Kittilä Kiuruvesi Kivijärvi Kokemäki Kokkola Kolari Konnevesi Kontiolahti Korsnäs Kotka
Kouvola Kristiinankaupunki Kruunupyy Kuhmo Kuhmoinen Kumlinge Kuopio Kuortane Kurikka Kustavi
Kuusamo Kyyjärvi Kärkölä Kärsämäki Kökar Lahti Laihia Laitila Lapinjärvi Lapinlahti
Lappajärvi Lappeenranta Lapua Laukaa Lemland Lempäälä Leppävirta Lestijärvi Lieksa Lieto
Liminka Liperi Lohja Loimaa Loppi Loviisa Luhanka Lumijoki Lumparland Luoto Luumäki Maalahti
Maarianhamina Marttila Masku Merijärvi Merikarvia Miehikkälä Mikkeli Muhos Multia Muonio
Mustasaari Muurame Mynämäki Myrskylä Mäntsälä Mänttä-Vilppula Mäntyharju Naantali Nakkila
Nivala Nokia Nousiainen Nurmes Nurmijärvi Närpiö Orimattila Oripää Orivesi Oulainen Oulu
Outokumpu Padasjoki Paimio Paltamo Parainen Parikkala Parkano Pedersöre Pelkosenniemi Pello
Perho Pertunmaa Petäjävesi Pieksämäki Pielavesi Pietarsaari Pihtipudas Pirkkala Polvijärvi
Pomarkku Pori Pornainen Porvoo Posio Pudasjärvi Pukkila Punkalaidun Puolanka Puumala Pyhtää
Pyhäjoki Pyhäjärvi Pyhäntä Pyhäranta Pälkäne Pöytyä Raahe Raasepori Raisio Rantasalmi Ranua
Rauma Rautalampi Rautavaara Rautjärvi Reisjärvi Riihimäki Ristijärvi Rovaniemi Ruokolahti
Ruovesi Rusko Rääkkylä Saarijärvi Salla Salo Saltvik Sastamala Sauvo Savitaipale Savonlinna
Savukoski Seinäjoki Sievi Siikainen Siikajoki Siikalatva Siilinjärvi Simo Sipoo Siuntio
Sodankylä Soini Somero Sonkajärvi Sotkamo Sottunga Sulkava Sund Suomussalmi Suonenjoki Sysmä
Säkylä Taipalsaari Taivalkoski Taivassalo Tammela Tampere Tervo Tervola Teuva Tohmajärvi
Toholampi Toivakka Tornio Turku Tuusniemi Tuusula Tyrnävä Ulvila Urjala Utajärvi Utsjoki
Uurainen Uusikaarlepyy Uusikaupunki Vaala Vaasa Valkeakoski Vantaa Varkaus Vehmaa Vesanto
Vesilahti Veteli Vieremä Vihti Viitasaari Vimpeli Virolahti Virrat Vårdö Vöyri Ylitornio
Ylivieska Ylöjärvi Ypäjä Ähtäri Äänekoski
Esbo Vanda Grankulla Kyrkslätt Sibbo Borgå Lovisa Raseborg Ekenäs Karis Lojo Hangö Ingå
Sjundeå Vichtis Kervo Träskända Tusby Mäntsälä Åbo Pargas Kimitoön Nådendal Reso Nystad
Björneborg Raumo Tammerfors Tavastehus Lahtis Fredrikshamn Villmanstrand Nyslott Uleåborg
Karleby Jakobstad Nykarleby Kristinestad Närpes Korsholm Vörå Malax Kaskö Larsmo Kronoby
Mariehamn Pyttis Lappträsk Mörskom Pernå Torneå Brahestad Kajana Kuopio Joensuu Vasa
Uusimaa Varsinais-Suomi Satakunta Kanta-Häme Pirkanmaa Päijät-Häme Kymenlaakso
Etelä-Karjala Etelä-Savo Pohjois-Savo Pohjois-Karjala Keski-Suomi Etelä-Pohjanmaa Pohjanmaa
Keski-Pohjanmaa Pohjois-Pohjanmaa Kainuu Lappi Ahvenanmaa Åland Nyland Österbotten
Tavastland Savolax Karelen Kajanaland Satakunda Birkaland
"""

#: The municipalities' and regions' names, case-folded; of a name of two words (written
#: with ``_`` above: *Upplands Väsby*, *Lilla Edet*), its last (*lilla* is a word).
MUNICIPALITIES = frozenset(name.split("_")[-1].casefold() for name in (_SWEDEN + _FINLAND).split())
