"""`paser_dcat_ap`: DCAT-AP 3 with the Satu Data metadata of the Paser schema (docs/dcat.md).

Layered on ckanext-dcat's `euro_dcat_ap_3`: the Paser fields are first translated into the keys that profile
already maps (publisher, language, alternate_identifier, ...), then the graph is completed with what DCAT-AP
names through controlled vocabularies (EU frequency, access right, language and file type; our own stable URIs for
agencies, regions and sectors) and with the `sdi:` terms for the standar data. Every node a DCAT-AP 3.0.0 shape
constrains by class is typed, so the output validates with pySHACL without inference. `parse_dataset` reads the
same graph back into the Paser fields.
"""
from __future__ import annotations

import datetime
import json
import re
import weakref
from typing import Any

from ckan import model
from ckan.plugins import PluginImplementations
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node
from sqlalchemy import and_

from ckanext.dcat.interfaces import IDCATURIGenerator
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import resource_uri

from .. import reference
from ..satudata import vocabularies
from . import uris
from .namespace import LITERAL_FIELDS, PREFIX, RESOURCE_FIELDS, SDI, SDI_URI

VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX_CHECKSUM = URIRef("http://spdx.org/rdf/terms#checksum")
SPDX_ALGORITHM = URIRef("http://spdx.org/rdf/terms#algorithm")

EU = "http://publications.europa.eu/resource/authority/"
LANGUAGE_IND = URIRef(f"{EU}language/IND")
FILE_TYPE = f"{EU}file-type/"
IANA_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")

# jadwal pemutakhiran → EU frequency vocabulary
FREQUENCY = {
    "harian": "DAILY",
    "mingguan": "WEEKLY",
    "bulanan": "MONTHLY",
    "triwulanan": "QUARTERLY",
    "semesteran": "ANNUAL_2",
    "tahunan": "ANNUAL",
    "insidental": "IRREG",
}
FREQUENCY_LABEL = vocabularies.labels("frequency")
# klasifikasi → EU access-right vocabulary
ACCESS_RIGHT = {"terbuka": "PUBLIC", "terbatas": "RESTRICTED", "tertutup": "NON_PUBLIC"}
# the term itself ("Terbuka"), without the schema's "(publik)" gloss
ACCESS_RIGHT_LABEL = {code: code.capitalize() for code in vocabularies.KLASIFIKASI}

KABUPATEN_CODE = re.compile(r"^64\.01$")
KECAMATAN_CODE = re.compile(r"^64\.01\.\d{2}$")
DESA_CODE = re.compile(r"^64\.01\.\d{2}\.[12]\d{3}$")


URI_BUILDERS = {"organization": uris.organization_uri, "contact": uris.contact_uri, "region": uris.region_uri,
                "sector": uris.sector_uri, "urusan": uris.urusan_uri}

# What the profile looks up in CKAN (organisation details, kecamatan boundaries), kept for the life of one graph:
# ckanext-dcat makes a new profile object for every dataset, and a catalogue page of 100 datasets would otherwise
# call organization_show twice and organization_list (every kecamatan organisation dictized) once per dataset.
_LOOKUPS: weakref.WeakKeyDictionary[Graph, dict[str, Any]] = weakref.WeakKeyDictionary()


FREQUENCY_URIS = {code: URIRef(f"{EU}frequency/{eu}") for code, eu in FREQUENCY.items()}
# The Satu Data properties as URIs once (a Namespace builds and checks a new URIRef on every lookup).
SDI_LITERALS = tuple((SDI[term], field) for term, field in LITERAL_FIELDS.items())
SDI_RESOURCE_LITERALS = tuple((SDI[term], field) for term, field in RESOURCE_FIELDS.items())
# Organisation extras the profile writes: contact details of agencies, codes and boundaries of kecamatan.
ORGANIZATION_EXTRAS = ("email", "website", "spatial", "kode_kemendagri")


def frequency_uri(code: str) -> URIRef | None:
    return FREQUENCY_URIS.get(code)


def access_right_uri(code: str) -> URIRef | None:
    return URIRef(f"{EU}access-right/{ACCESS_RIGHT[code]}") if code in ACCESS_RIGHT else None


def _code_for(uri: str, table: dict[str, str]) -> str | None:
    suffix = uris.last_segment(uri)
    return next((code for code, eu in table.items() if eu == suffix), None)


def _as_list(value: Any) -> list[Any]:
    if not value:
        return []
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return loaded if isinstance(loaded, list) else [loaded]
    return list(value)


class PaserDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 plus the Satu Data fields of the Paser schema, in both directions."""

    def __init__(self, graph: Graph, *args: Any, **kwargs: Any) -> None:
        # ckanext-dcat makes a profile object per dataset, and the base constructor asks scheming for the dataset
        # schema each time (validation of the request included). Within one graph the result is the same: the
        # first object's settings serve the others.
        lookups = _LOOKUPS.get(graph)
        settings = lookups.get("profile_settings") if lookups is not None else None
        key = (args, tuple(sorted(kwargs.items())))
        if settings is not None and settings[0] == key:
            self.__dict__.update(settings[1])
            self.g = graph
            return
        super().__init__(graph, *args, **kwargs)
        # Without the graph itself: a value of _LOOKUPS holding its own key would keep every graph alive.
        self._lookups()["profile_settings"] = (key, {name: value for name, value in self.__dict__.items()
                                                     if name not in ("g", "_graph_lookups")})

    # ------------------------------------------------------------------ serialising

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        self._bind_prefixes()
        prepared = self._prepared_for_dcat_ap(dataset_dict)
        if (dataset_ref, None, None) in self.g:
            # euro_dcat_ap_3 was listed before this profile, which writes all of it again; what it wrote may
            # include nodes described for earlier datasets, so they are described again.
            self._forget_dataset(dataset_ref)
            self._lookups()["described"].clear()
        super().graph_from_dataset(prepared, dataset_ref)
        self._type_vocabulary_nodes(dataset_dict)
        self._add_publisher_details(dataset_dict, dataset_ref)
        self._add_walidata(dataset_dict, dataset_ref)
        self._add_access_rights(dataset_dict, dataset_ref)
        self._add_themes(dataset_dict, dataset_ref)
        self._add_regions(dataset_dict, dataset_ref)
        self._add_satu_data_literals(dataset_dict, dataset_ref)
        self._complete_distributions(dataset_dict)

    def _forget_dataset(self, dataset_ref: URIRef) -> None:
        """Drop what a profile listed before this one (euro_dcat_ap_3) wrote about the dataset: the plain values
        and blank nodes of the other would otherwise be doubled. The portal lists this profile alone."""
        seen: set[Node] = set()
        pending: list[Node] = [dataset_ref]
        while pending:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            for predicate, value in list(self.g.predicate_objects(node)):
                if isinstance(value, BNode) or predicate in (DCAT.distribution, DCTERMS.publisher, DCTERMS.creator):
                    pending.append(value)
                self.g.remove((node, predicate, value))

    def _bind_prefixes(self) -> None:
        """Prefixes for the URI spaces the catalogue repeats (once per graph). Besides a shorter document, they
        make rdflib's Turtle writer fast: it caches the prefixed name of a URI it can abbreviate, but looks again,
        through every bound namespace, each time it meets one it cannot (measured: a third of a page's time)."""
        lookups = self._lookups()
        if lookups.get("prefixes"):
            return
        lookups["prefixes"] = True
        base = self._base()
        for prefix, namespace in (
                (PREFIX, SDI_URI), ("dataset", f"{base}/dataset/"), ("wilayah", f"{base}/wilayah/"),
                ("organisasi", f"{base}/organization/"), ("sektor", f"{base}/group/"), ("urusan", f"{base}/urusan/"),
                ("eu-frekuensi", f"{EU}frequency/"), ("eu-akses", f"{EU}access-right/"),
                ("eu-bahasa", f"{EU}language/"), ("eu-format", FILE_TYPE)):
            self.g.bind(prefix, namespace, override=False)

    def _base(self) -> str:
        lookups = self._lookups()
        if "base" not in lookups:
            lookups["base"] = uris.base()
        return lookups["base"]

    def _prepared_for_dcat_ap(self, dataset_dict: dict[str, Any]) -> dict[str, Any]:
        """A copy of the dataset in the keys euro_dcat_ap_3 maps, with vocabulary URIs instead of codes."""
        prepared = dict(dataset_dict)
        frequency = frequency_uri(dataset_dict.get("frequency") or "")
        if frequency:
            prepared["frequency"] = str(frequency)
        else:
            prepared.pop("frequency", None)
        prepared["language"] = [str(LANGUAGE_IND)]
        # dct:description is mandatory in DCAT-AP: a dataset without one is described by its title.
        if not (dataset_dict.get("notes") or "").strip():
            prepared["notes"] = dataset_dict.get("title") or dataset_dict.get("name")
        organization = dataset_dict.get("organization") or {}
        if organization.get("name"):
            prepared["publisher"] = [{
                "uri": uris.organization_uri(organization["name"], self._base()),
                "name": organization.get("title") or organization["name"],
                "email": self._organization_field(organization, "email"),
                "url": self._organization_field(organization, "website"),
            }]
        if dataset_dict.get("kode_indikator"):
            prepared["alternate_identifier"] = [dataset_dict["kode_indikator"]]
        # Mapped here with typed nodes, not as the plain values ckanext-dcat would write.
        for key in ("theme", "access_rights", "spatial_coverage"):
            prepared.pop(key, None)
        return prepared

    def _lookups(self) -> dict[str, Any]:
        """Lookups shared by the profile objects that write into the same graph (one catalogue page)."""
        lookups: dict[str, Any] | None = self.__dict__.get("_graph_lookups")
        if lookups is None:
            lookups = _LOOKUPS.get(self.g)
            if lookups is None:
                lookups = _LOOKUPS[self.g] = {"described": set(), "uris": {}}
            self._graph_lookups = lookups
        return lookups

    def _add_date_triple(self, subject: Node, predicate: Node, value: Any, _type: Any = Literal) -> None:
        """As ckanext-dcat's, with a fast path for the ISO timestamps CKAN stores (metadata_created and
        _modified of every dataset and resource): the same xsd:dateTime, read without dateutil's parser, which
        took a tenth of a catalogue page."""
        if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and value[10:11] == "T":
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.g.add((subject, predicate, _type(parsed.isoformat(), datatype=XSD.dateTime)))
                return
        super()._add_date_triple(subject, predicate, value, _type)

    def _first_time(self, node: Node) -> bool:
        """Whether `node` (an agency, a concept, a format) is not yet described in this graph. A catalogue page
        names the same few dozen of them again and again; adding their triples once per dataset was a fifth of
        the page's time (rdflib's add costs the same whether the triple is new or not)."""
        described: set[Node] = self._lookups()["described"]
        if node in described:
            return False
        described.add(node)
        return True

    def _organization_extras(self) -> dict[str, dict[str, Any]]:
        """The extras the profile writes of every active organisation, by id and type, read once per graph in one
        query (organization_show builds the whole organisation dict, member and dataset counts included, 5-15 ms
        each; a page names a dozen organisations)."""
        lookups = self._lookups()
        extras: dict[str, dict[str, Any]] | None = lookups.get("organization_extras")
        if extras is None:
            extras = {}
            rows = (model.Session.query(model.Group.id, model.Group.type, model.GroupExtra.key, model.GroupExtra.value)
                    .outerjoin(model.GroupExtra, and_(model.GroupExtra.group_id == model.Group.id,
                                                      model.GroupExtra.state == "active",
                                                      model.GroupExtra.key.in_(ORGANIZATION_EXTRAS)))
                    .filter(model.Group.is_organization.is_(True), model.Group.state == "active"))
            for group_id, group_type, key, value in rows:
                details = extras.setdefault(group_id, {"type": group_type, **dict.fromkeys(ORGANIZATION_EXTRAS)})
                if key is not None:
                    details[key] = value
            lookups["organization_extras"] = extras
        return extras

    def _organization_field(self, organization: dict[str, Any], key: str) -> str | None:
        if key in organization:
            return organization.get(key) or None
        details = self._organization_extras().get(organization.get("id") or "")
        if details is None:
            return None
        organization.update({name: details[name] for name in ("email", "website", "spatial")})
        return organization.get(key) or None

    def _uri(self, kind: str, key: str) -> URIRef:
        """The stable URI (uris.py) of an agency, contact, region, sector or urusan, built once per graph."""
        cache: dict[tuple[str, str], URIRef] = self._lookups()["uris"]
        uri = cache.get((kind, key))
        if uri is None:
            uri = cache[(kind, key)] = URIRef(URI_BUILDERS[kind](key, self._base()))
        return uri

    def _distribution_ref(self, resource_dict: dict[str, Any]) -> URIRef:
        """The distribution's URI, as ckanext-dcat's `resource_uri` gives it, without reading the config and the
        plugin list again for every resource when no plugin rewrites resource URIs."""
        lookups = self._lookups()
        if "uri_generators" not in lookups:
            lookups["uri_generators"] = any(True for _ in PluginImplementations(IDCATURIGenerator))
        uri = resource_dict.get("uri")
        if lookups["uri_generators"] or not resource_dict.get("package_id") or not resource_dict.get("id"):
            return URIRef(resource_uri(resource_dict))
        if not uri or uri == "None":
            uri = f"{self._base()}/dataset/{resource_dict['package_id']}/resource/{resource_dict['id']}"
        return URIRef(uri)

    def _concept(self, node: URIRef, label: str, lang: str | None = "id") -> bool:
        """Types and labels a concept the first time the graph names it; says whether it did."""
        if not self._first_time(node):
            return False
        self.g.add((node, RDF.type, SKOS.Concept))
        if not any(self.g.objects(node, SKOS.prefLabel)):
            self.g.add((node, SKOS.prefLabel, Literal(label, lang=lang)))
        return True

    def _type_vocabulary_nodes(self, dataset_dict: dict[str, Any]) -> None:
        g = self.g
        if self._first_time(LANGUAGE_IND):
            g.add((LANGUAGE_IND, RDF.type, DCTERMS.LinguisticSystem))
            g.add((LANGUAGE_IND, SKOS.prefLabel, Literal("Bahasa Indonesia", lang="id")))
        # The dct:accrualPeriodicity euro_dcat_ap_3 wrote from the prepared dataset.
        code = dataset_dict.get("frequency") or ""
        if code in FREQUENCY_URIS:
            self._concept(FREQUENCY_URIS[code], FREQUENCY_LABEL[code])

    def _add_publisher_details(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        organization = dataset_dict.get("organization") or {}
        if not organization.get("name"):
            return
        publisher = self._uri("organization", organization["name"])
        self.g.add((dataset_ref, DCTERMS.creator, publisher))
        if self._first_time(publisher):
            self.g.add((publisher, RDF.type, FOAF.Organization))
            self.g.add((publisher, DCTERMS.identifier, Literal(organization["name"])))
            self.g.add((publisher, DCTERMS.type, LOCAL_AUTHORITY))
            self._concept(LOCAL_AUTHORITY, "Local Authority", "en")

    def _add_walidata(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        singkatan = (dataset_dict.get("walidata") or "").strip()
        if not singkatan:
            return
        name = reference.agencies.slugify(singkatan)
        walidata = self._uri("organization", name)
        g = self.g
        contact = self._uri("contact", name)
        g.add((dataset_ref, SDI.walidata, walidata))
        g.add((dataset_ref, DCAT.contactPoint, contact))
        if not self._first_time(contact):
            return
        opd = reference.opd_by_slug(name)
        g.add((walidata, RDF.type, FOAF.Agent))
        g.add((walidata, RDF.type, FOAF.Organization))
        g.add((walidata, FOAF.name, Literal(opd.nama if opd else singkatan)))
        g.add((walidata, DCTERMS.identifier, Literal(opd.singkatan if opd else singkatan)))
        g.add((contact, RDF.type, URIRef(VCARD + "Kind")))
        g.add((contact, RDF.type, URIRef(VCARD + "Organization")))
        g.add((contact, URIRef(VCARD + "fn"), Literal(f"Walidata {opd.nama if opd else singkatan}")))
        g.add((contact, URIRef(VCARD + "hasUID"), walidata))

    def _add_access_rights(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        code = dataset_dict.get("klasifikasi") or ""
        rights = access_right_uri(code)
        if rights:
            self.g.add((dataset_ref, DCTERMS.accessRights, rights))
            if self._first_time(rights):
                self.g.add((rights, RDF.type, DCTERMS.RightsStatement))
                self.g.add((rights, RDFS.label, Literal(ACCESS_RIGHT_LABEL[code], lang="id")))

    def _add_themes(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        for group in dataset_dict.get("groups") or []:
            if not group.get("name"):
                continue
            theme = self._uri("sector", group["name"])
            g.add((dataset_ref, DCAT.theme, theme))
            if self._concept(theme, group.get("title") or group.get("display_name") or group["name"]):
                g.add((theme, SKOS.inScheme, URIRef(uris.sector_scheme_uri(self._base()))))
                g.add((theme, SKOS.notation, Literal(group["name"])))
        for code in _as_list(dataset_dict.get("urusan")):
            theme = self._uri("urusan", code)
            g.add((dataset_ref, DCAT.theme, theme))
            if theme in self._lookups()["described"]:
                continue
            urusan = reference.urusan_by_code(code)
            if not self._concept(theme, urusan.nama if urusan else code):
                continue
            if urusan:
                g.add((theme, SKOS.prefLabel, Literal(urusan.name_en, lang="en")))
            g.add((theme, SKOS.inScheme, URIRef(uris.urusan_scheme_uri(self._base()))))
            g.add((theme, SKOS.notation, Literal(code)))

    def _add_region(self, dataset_ref: URIRef, code: str, level: str) -> None:
        g = self.g
        region = self._uri("region", code)
        g.add((dataset_ref, DCTERMS.spatial, region))
        # The region's description is the same for every dataset of the graph: written once (a catalogue page
        # names the same kecamatan again and again, and the bounding box costs a GeoJSON and a WKT conversion).
        if not self._first_time(region):
            return
        geometry = None
        if level == "kabupaten":
            name = reference.kabupaten().nama
        elif level == "kecamatan":
            kecamatan = reference.kecamatan_by_code(code)
            name = kecamatan.nama if kecamatan else code
            geometry = self._kecamatan_geometries().get(code)
        else:
            desa = reference.desa_by_code(code)
            name = desa.nama if desa else code
        g.add((region, RDF.type, DCTERMS.Location))
        g.add((region, SKOS.prefLabel, Literal(name)))
        g.add((region, DCTERMS.identifier, Literal(code)))
        bbox = _bbox_geojson(geometry) if geometry else None
        if bbox:
            self._add_spatial_value_to_graph(region, DCAT.bbox, bbox)

    def _add_regions(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """Kecamatan and desa covered, by Kemendagri code; the whole regency when none is named."""
        kecamatan_codes = _as_list(dataset_dict.get("cakupan_kecamatan"))
        desa_codes = _as_list(dataset_dict.get("cakupan_desa"))
        if not kecamatan_codes and not desa_codes:
            self._add_region(dataset_ref, reference.kabupaten().kode_kemendagri, "kabupaten")
            return
        for code in kecamatan_codes:
            self._add_region(dataset_ref, code, "kecamatan")
        for code in desa_codes:
            self._add_region(dataset_ref, code, "desa")

    def _kecamatan_geometries(self) -> dict[str, str]:
        """Boundaries (or bounding boxes) stewards entered on the kecamatan organisations, by Kemendagri code."""
        lookups = self._lookups()
        cached: dict[str, str] | None = lookups.get("geometries")
        if cached is None:
            cached = {org["kode_kemendagri"]: org["spatial"] for org in self._organization_extras().values()
                      if org["type"] == "kecamatan" and org["kode_kemendagri"] and org["spatial"]}
            lookups["geometries"] = cached
        return cached

    def _add_satu_data_literals(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        add = self.g.add
        for predicate, field in SDI_LITERALS:
            value = dataset_dict.get(field)
            if value not in (None, "", []):
                add((dataset_ref, predicate, Literal(value)))

    def _complete_distributions(self, dataset_dict: dict[str, Any]) -> None:
        g = self.g
        license_url = dataset_dict.get("license_url")
        for resource_dict in dataset_dict.get("resources") or []:
            distribution = self._distribution_ref(resource_dict)
            for predicate, field in SDI_RESOURCE_LITERALS:
                if resource_dict.get(field):
                    g.add((distribution, predicate, Literal(resource_dict[field])))
            for fmt in list(g.objects(distribution, DCTERMS["format"])):
                if isinstance(fmt, Literal):
                    g.remove((distribution, DCTERMS["format"], fmt))
                    token = re.sub(r"[^A-Z0-9_]", "", str(fmt).upper())
                    if token:
                        fmt_ref = URIRef(FILE_TYPE + token)
                        g.add((distribution, DCTERMS["format"], fmt_ref))
                        if self._first_time(fmt_ref):
                            g.add((fmt_ref, RDF.type, DCTERMS.MediaTypeOrExtent))
                            g.add((fmt_ref, RDFS.label, Literal(str(fmt))))
            for url in (*g.objects(distribution, DCAT.accessURL), *g.objects(distribution, DCAT.downloadURL)):
                g.add((url, RDF.type, RDFS.Resource))
            for media in list(g.objects(distribution, DCAT.mediaType)):
                if isinstance(media, Literal):
                    g.remove((distribution, DCAT.mediaType, media))
                    media_ref = URIRef(IANA_MEDIA_TYPE + str(media).strip())
                    g.add((distribution, DCAT.mediaType, media_ref))
                    if self._first_time(media_ref):
                        g.add((media_ref, RDF.type, DCTERMS.MediaType))
            if license_url and not any(g.objects(distribution, DCTERMS.license)):
                g.add((distribution, DCTERMS.license, URIRef(license_url)))
            for licence in g.objects(distribution, DCTERMS.license):
                if not self._first_time(licence):
                    continue
                g.add((licence, RDF.type, DCTERMS.LicenseDocument))
                for licence_type in g.objects(licence, DCTERMS.type):
                    if isinstance(licence_type, URIRef):
                        self._concept(licence_type, uris.last_segment(licence_type), "en")
            # A checksum without its algorithm is invalid DCAT-AP; CKAN does not record which one made `hash`.
            for checksum in list(g.objects(distribution, SPDX_CHECKSUM)):
                if not any(g.objects(checksum, SPDX_ALGORITHM)):
                    g.remove((distribution, SPDX_CHECKSUM, checksum))
                    g.remove((checksum, None, None))

    # ------------------------------------------------------------------ catalogue

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        from .config import catalogue_settings

        self._bind_prefixes()
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        settings = catalogue_settings()
        for language in list(g.objects(catalog_ref, DCTERMS.language)):
            g.remove((catalog_ref, DCTERMS.language, language))
        g.add((catalog_ref, DCTERMS.language, LANGUAGE_IND))
        g.add((LANGUAGE_IND, RDF.type, DCTERMS.LinguisticSystem))
        g.add((LANGUAGE_IND, SKOS.prefLabel, Literal("Bahasa Indonesia", lang="id")))
        if not any(g.objects(catalog_ref, DCTERMS.description)):
            g.add((catalog_ref, DCTERMS.description, Literal(settings["description"])))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        publisher = URIRef(settings["publisher_uri"])
        g.add((catalog_ref, DCTERMS.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, RDF.type, FOAF.Organization))
        g.add((publisher, FOAF.name, Literal(settings["publisher_name"])))
        g.add((publisher, DCTERMS.type, LOCAL_AUTHORITY))
        self._concept(LOCAL_AUTHORITY, "Local Authority", "en")
        if settings["publisher_homepage"]:
            homepage = URIRef(settings["publisher_homepage"])
            g.add((publisher, FOAF.homepage, homepage))
        if settings["license"]:
            licence = URIRef(settings["license"])
            g.add((catalog_ref, DCTERMS.license, licence))
            g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        kabupaten = reference.kabupaten()
        region = URIRef(uris.region_uri(kabupaten.kode_kemendagri))
        g.add((catalog_ref, DCTERMS.spatial, region))
        g.add((region, RDF.type, DCTERMS.Location))
        g.add((region, SKOS.prefLabel, Literal(kabupaten.nama)))
        g.add((region, DCTERMS.identifier, Literal(kabupaten.kode_kemendagri)))
        for scheme, title in ((uris.sector_scheme_uri(), "Sektor"),
                              (uris.urusan_scheme_uri(), "Urusan pemerintahan (Permendagri 90/2019)")):
            g.add((catalog_ref, DCAT.themeTaxonomy, URIRef(scheme)))
            g.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
            g.add((URIRef(scheme), DCTERMS.title, Literal(title, lang="id")))

    # ------------------------------------------------------------------ parsing

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        g = self.g
        for term, field in LITERAL_FIELDS.items():
            value = g.value(dataset_ref, SDI[term])
            if value is not None:
                dataset_dict[field] = str(value)
        if not g.value(dataset_ref, SDI.jadwalPemutakhiran):
            frequency = g.value(dataset_ref, DCTERMS.accrualPeriodicity)
            code = _code_for(str(frequency), FREQUENCY) if frequency is not None else None
            if code:
                dataset_dict["frequency"] = code
            else:
                dataset_dict.pop("frequency", None)
        if not g.value(dataset_ref, SDI.klasifikasi):
            rights = g.value(dataset_ref, DCTERMS.accessRights)
            code = _code_for(str(rights), ACCESS_RIGHT) if rights is not None else None
            if code:
                dataset_dict["klasifikasi"] = code
        walidata = g.value(dataset_ref, SDI.walidata)
        walidata_contact = None
        if walidata is not None:
            identifier = g.value(walidata, DCTERMS.identifier)
            dataset_dict["walidata"] = str(identifier) if identifier else uris.last_segment(str(walidata))
            walidata_contact = str(walidata)
        contacts = [contact for contact in dataset_dict.get("contact") or []
                    if not (walidata_contact and contact.get("identifier") == walidata_contact)]
        if contacts:
            dataset_dict["contact"] = [{key: contact[key] for key in ("name", "email") if contact.get(key)}
                                       for contact in contacts]
        else:
            dataset_dict.pop("contact", None)
        self._parse_regions(dataset_dict, dataset_ref)
        self._parse_themes(dataset_dict, dataset_ref)
        for key in ("language", "access_rights", "theme"):
            dataset_dict.pop(key, None)
        if dataset_dict.get("alternate_identifier") == [dataset_dict.get("kode_indikator")]:
            dataset_dict.pop("alternate_identifier")
        for resource_dict in dataset_dict.get("resources") or []:
            distribution = URIRef(resource_dict["uri"]) if resource_dict.get("uri") else None
            if distribution is None:
                continue
            for term, field in RESOURCE_FIELDS.items():
                value = g.value(distribution, SDI[term])
                if value is not None:
                    resource_dict[field] = str(value)
            fmt = g.value(distribution, DCTERMS["format"])
            if isinstance(fmt, URIRef) and str(fmt).startswith(FILE_TYPE):
                resource_dict["format"] = str(g.value(fmt, RDFS.label) or uris.last_segment(str(fmt)))
            media = g.value(distribution, DCAT.mediaType)
            if isinstance(media, URIRef) and str(media).startswith(IANA_MEDIA_TYPE):
                resource_dict["mimetype"] = str(media)[len(IANA_MEDIA_TYPE):]
        return dataset_dict

    def _parse_regions(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        kecamatan: set[str] = set()
        desa: set[str] = set()
        for region in self.g.objects(dataset_ref, DCTERMS.spatial):
            identifier = self.g.value(region, DCTERMS.identifier)
            code = str(identifier) if identifier else (uris.last_segment(str(region))
                                                       if isinstance(region, URIRef) else "")
            if KECAMATAN_CODE.match(code):
                kecamatan.add(code)
            elif DESA_CODE.match(code):
                desa.add(code)
        if kecamatan:
            dataset_dict["cakupan_kecamatan"] = [k.kode_kemendagri for k in reference.kecamatan_list()
                                                 if k.kode_kemendagri in kecamatan]
        if desa or kecamatan:  # a kecamatan-level dataset has an empty desa coverage, as the schema shows it
            dataset_dict["cakupan_desa"] = [d.kode_kemendagri for d in reference.desa_list()
                                            if d.kode_kemendagri in desa]

    def _parse_themes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        sektor: list[str] = []
        urusan: list[str] = []
        for theme in self.g.objects(dataset_ref, DCAT.theme):
            scheme = str(self.g.value(theme, SKOS.inScheme) or "")
            notation = str(self.g.value(theme, SKOS.notation) or uris.last_segment(str(theme)))
            if scheme.endswith("/urusan"):
                urusan.append(notation)
            elif scheme.endswith("/group"):
                sektor.append(notation)
        if urusan:
            dataset_dict["urusan"] = [u.kode for u in reference.urusan_list() if u.kode in urusan]
        if sektor:
            dataset_dict["groups"] = [{"name": name} for name in sorted(sektor)]


def _bbox_geojson(geometry: str) -> str | None:
    """The bounding box of a GeoJSON geometry, as a GeoJSON Polygon (what ckanext-dcat writes as WKT)."""
    try:
        shape = json.loads(geometry) if isinstance(geometry, str) else geometry
    except ValueError:
        return None
    points: list[tuple[float, float]] = []

    def walk(coordinates: Any) -> None:
        if coordinates and isinstance(coordinates[0], (int, float)):
            points.append((float(coordinates[0]), float(coordinates[1])))
        else:
            for item in coordinates or []:
                walk(item)

    walk((shape or {}).get("coordinates"))
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    ring = [[min(xs), min(ys)], [max(xs), min(ys)], [max(xs), max(ys)], [min(xs), max(ys)], [min(xs), min(ys)]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})

