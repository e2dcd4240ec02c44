// The reelsearch editor UI: search, browse hits grouped by title, play shots, page through.
// Plain JavaScript on the JSON API under /api; nothing loads from elsewhere.
"use strict";

const KEY_STORAGE = "reelsearch.apiKey";

const $ = (id) => document.getElementById(id);

const state = {
  base: null, // the request without paging: {text | like | image, algos, filter}
  label: null, // what the chip says about the query
  page: { offset: 0, cursor: null }, // where the current page starts
  history: [], // pages before the current one, for "Previous"
  next: null, // where the next page starts, or null
  cursorField: null, // the request field that takes next_cursor, if the server has one
  groupField: null, // the request field that groups hits by title, if the server has one
  dedupeChain: null, // the postprocessors that collapse similar shots, if the server has them
  apiKey: localStorage.getItem(KEY_STORAGE) || "",
  maxUpload: 0,
  searches: [], // the registered searches, as /api/searches lists them
  selected: new Map(), // hit id -> hit, kept across pages and searches until cleared
  playing: null, // the hit in the player
  stopAtOut: false, // whether playing stops at its out point (not after stepping past it)
  lastResponse: null, // the page on screen, to sort again
};

const DIALOGUE = "dialogue";
const HIT_URL_FIELDS = ["thumbnail_url", "clip_url", "source_url", "start_timecode", "end_timecode"];

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (state.apiKey) headers.set("X-API-Key", state.apiKey);
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    options = { ...options, method: "POST", body: JSON.stringify(options.json) };
  }
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (error) {
    throw new ApiError(0, "The server cannot be reached. Is `reelsearch serve` running?");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && typeof body.detail === "string" ? body.detail : response.statusText;
    throw new ApiError(response.status, detail || `HTTP ${response.status}`);
  }
  return body;
}

async function download(path, json) {
  // A file from a POST: fetched with the key in its header, then saved from a Blob.
  const headers = new Headers({ "Content-Type": "application/json" });
  if (state.apiKey) headers.set("X-API-Key", state.apiKey);
  let response;
  try {
    response = await fetch(path, { method: "POST", headers, body: JSON.stringify(json) });
  } catch (error) {
    throw new ApiError(0, "The server cannot be reached. Is `reelsearch serve` running?");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const detail = body && typeof body.detail === "string" ? body.detail : response.statusText;
    throw new ApiError(response.status, detail || `HTTP ${response.status}`);
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const named = /filename="([^"]+)"/.exec(disposition);
  const link = el("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = named ? named[1] : "reelsearch-hits";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// ---------------------------------------------------------------- errors

function showError(error, warning = false) {
  if (error instanceof ApiError && error.status === 401) {
    $("key-panel").hidden = false;
    $("api-key").focus();
  }
  $("error-text").textContent = error.message || String(error);
  $("error-banner").classList.toggle("warning", warning);
  $("error-banner").hidden = false;
}

function showFailures(failures) {
  if (!failures || !failures.length) return;
  const lines = failures.map((f) => `${f.searcher}: ${f.message}`);
  showError(new Error(`Some searches failed; showing the others' hits. ${lines.join(" · ")}`), true);
}

function showWarnings(warnings) {
  if (!warnings || !warnings.length) return;
  showError(new Error(warnings.join(" · ")), true);
}

function clearError() {
  $("error-banner").hidden = true;
  $("error-text").textContent = "";
}

// ---------------------------------------------------------------- formatting

function clock(seconds) {
  const s = Math.max(0, seconds);
  const minutes = Math.floor(s / 60);
  const rest = (s - minutes * 60).toFixed(2).padStart(5, "0");
  return `${minutes}:${rest}`;
}

function timecodes(hit) {
  const start = hit.start_timecode || clock(hit.start);
  const end = hit.end_timecode || clock(hit.end);
  return `${start} – ${end}`;
}

function isDropFrame(fps) {
  return [30000 / 1001, 60000 / 1001].some((rate) => Math.abs(fps - rate) <= 0.01);
}

function startFrame(timecode, fps) {
  // The frame number of a file's start timecode (HH:MM:SS:FF, ";" for drop frame), as the
  // server counts it (core/timecode.py); 0 without one.
  const parts = String(timecode || "").split(/[:;]/).map(Number);
  if (parts.length !== 4 || !parts.every(Number.isInteger)) return 0;
  const [hh, mm, ss, ff] = parts;
  const base = Math.max(1, Math.round(fps));
  const minutes = hh * 60 + mm;
  const dropped = timecode.includes(";") && isDropFrame(fps) ? 2 * Math.floor(base / 30) : 0;
  return (minutes * 60 + ss) * base + ff - dropped * (minutes - Math.floor(minutes / 10));
}

function frameTimecode(seconds, fps, first) {
  // HH:MM:SS:FF of the frame holding ``seconds``, counted from the file's start timecode
  // ``first``, drop frame (HH:MM:SS;FF) at 29.97 and 59.94: the server's timecodes.
  const base = Math.max(1, Math.round(fps));
  let frame = startFrame(first, fps) + Math.floor(Math.max(0, seconds) * fps + 1e-6);
  const drop = isDropFrame(fps);
  if (drop) {
    const dropped = 2 * Math.floor(base / 30);
    const perTen = base * 600 - dropped * 9;
    const rest = frame % perTen;
    frame += dropped * 9 * Math.floor(frame / perTen);
    if (rest > dropped) frame += dropped * Math.floor((rest - dropped) / (base * 60 - dropped));
  }
  const two = (n) => String(n).padStart(2, "0");
  const total = Math.floor(frame / base);
  return `${two(Math.floor(total / 3600))}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}${drop ? ";" : ":"}${two(frame % base)}`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------- loading the page

async function loadSearches() {
  const listing = await api("/api/searches");
  state.searches = listing.searches;
  const select = $("search-kind");
  for (const search of listing.searches) {
    if (!search.query_kinds.includes("text")) continue;
    const option = el("option", null, search.name);
    option.value = search.name;
    option.title = search.description;
    select.append(option);
  }
  const properties = (listing.request_schema && listing.request_schema.properties) || {};
  state.cursorField = "cursor" in properties ? "cursor" : null;
  state.groupField = "group_by" in properties ? "group_by" : null;
  state.dedupeChain = Array.isArray(listing.dedupe_postprocessors) ? listing.dedupe_postprocessors : null;
  $("dedupe-option").hidden = !state.dedupeChain;
  const imageSearch = listing.searches.some((s) => s.query_kinds.includes("image"));
  $("image-button").title = imageSearch
    ? "Search by a still image"
    : "No registered search answers image queries yet";
  $("query").maxLength = listing.limits.max_query_chars;
  state.maxUpload = listing.limits.max_upload_bytes;
}

async function loadTitles() {
  const { titles } = await api("/api/titles");
  const select = $("title-filter");
  select.replaceChildren(select.options[0]);
  for (const title of titles) {
    const option = el("option", null, `${title.title} (${title.assets})`);
    option.value = title.title;
    select.append(option);
  }
}

async function loadSpeakers() {
  const title = $("title-filter").value;
  let answer;
  try {
    answer = await api(`/api/speakers${title ? `?title=${encodeURIComponent(title)}` : ""}`);
  } catch (error) {
    if (error.status !== 404) showError(error);
    return;
  }
  if ($("title-filter").value !== title) return; // another title was picked meanwhile
  for (const id of ["speaker-filter", "with-speaker"]) {
    const select = $(id);
    const kept = select.value;
    select.replaceChildren(select.options[0]);
    for (const speaker of answer.speakers) {
      const option = el("option", null, speaker.name);
      option.value = speaker.name;
      option.title = `${speaker.lines} ${speaker.lines === 1 ? "line" : "lines"}`;
      select.append(option);
    }
    select.value = answer.speakers.some((s) => s.name === kept) ? kept : "";
  }
  const any = answer.speakers.length > 0;
  $("speaker-filter").disabled = !any;
  $("with-speaker").disabled = !any;
}

async function start() {
  try {
    await loadSearches();
    await loadTitles();
    await loadSpeakers();
  } catch (error) {
    showError(error);
  }
}

// ---------------------------------------------------------------- searching

function filter() {
  const title = $("title-filter").value;
  return title ? { titles: [title] } : {};
}

function pageSize() {
  return Number($("page-size").value);
}

function begin(base, label) {
  state.base = base;
  state.label = label;
  state.page = { offset: 0, cursor: null };
  state.history = [];
  return runPage();
}

function withGrouping(request) {
  return state.groupField ? { ...request, [state.groupField]: "title" } : request;
}

function withDedupe(request) {
  // "Collapse similar shots": the server's chain with dedupe, as `reelsearch search --dedupe`.
  return state.dedupeChain && $("dedupe").checked ? { ...request, postprocessors: state.dedupeChain } : request;
}

function pageRequest() {
  const request = { ...withDedupe(withGrouping(state.base)), limit: pageSize() };
  if (state.page.cursor && state.cursorField) request[state.cursorField] = state.page.cursor;
  else request.offset = state.page.offset;
  return request;
}

async function runPage(upload) {
  clearError();
  const results = $("results");
  results.classList.add("loading");
  $("status").textContent = "Searching…";
  try {
    const response = upload ? await upload() : await api("/api/search", { json: pageRequest() });
    if (response.upload) state.base = { ...state.base, image: response.upload };
    const size = pageSize();
    if (response.next_cursor && state.cursorField) {
      state.next = { offset: state.page.offset + size, cursor: response.next_cursor };
    } else if (!response.next_cursor && response.hits.length >= size) {
      state.next = { offset: state.page.offset + size, cursor: null };
    } else {
      state.next = null;
    }
    render(response);
    showFailures(response.errors);
    showWarnings(response.warnings);
  } catch (error) {
    $("status").textContent = "";
    showError(error);
  } finally {
    results.classList.remove("loading");
  }
}

function minScore() {
  const value = $("min-score").value.trim();
  return value === "" || !Number.isFinite(Number(value)) ? {} : { min_score: Number(value) };
}

function spokenQuery() {
  // The "while SPEAKER says TEXT" control as an intersection, or nothing.
  const speaker = $("with-speaker").value;
  const text = $("with-text").value.trim();
  if (!speaker && !text) return null;
  const who = speaker ? { speaker } : {};
  const query = text
    ? { text, algos: [DIALOGUE], limit: 100, options: { [DIALOGUE]: who } }
    : { text: `lines of ${speaker}`, algos: [DIALOGUE], limit: 1000, options: { [DIALOGUE]: { ...who, mode: "all" } } };
  const within = Number($("within").value);
  return { query, within: Number.isFinite(within) && within > 0 ? within : 0 };
}

function searchText(event) {
  event.preventDefault();
  const typed = $("query").value.trim();
  const speaker = $("speaker-filter").value;
  const mode = $("match-mode").value;
  const spoken = spokenQuery();
  const dialogue = {};
  if (speaker) dialogue.speaker = speaker;
  if (mode) dialogue.mode = mode;
  let text = typed;
  let label = ["Text", typed];
  let kind = $("search-kind").value;
  if (!typed && speaker && !spoken) {
    text = `lines of ${speaker}`; // a speaker alone: all their lines, in time order
    dialogue.mode = "all";
    label = ["Lines of", speaker];
  } else if (!typed) {
    $("query").focus();
    return;
  }
  if (Object.keys(dialogue).length && !kind) kind = DIALOGUE;
  const request = { text, algos: kind ? [kind] : [], filter: filter(), ...minScore() };
  if (Object.keys(dialogue).length) request.options = { [DIALOGUE]: dialogue };
  if (spoken) {
    request.intersect = [spoken];
    const who = spoken.query.options[DIALOGUE].speaker || "anyone";
    const said = spoken.query.options[DIALOGUE].mode === "all" ? "speaks" : `says “${spoken.query.text}”`;
    label = [label[0], `${label[1]} · while ${who} ${said}`];
  }
  begin(request, label);
}

function likeSearch(hit) {
  // The registered search that answers a like query for this hit, if any.
  const own = (s) => (hit.searcher ? s.name === hit.searcher : s.algo === hit.algo || s.name === hit.algo);
  return state.searches.find((s) => own(s) && s.query_kinds.includes("like")) || null;
}

function searchLike(hit, search) {
  const label = `${hit.title} ${hit.start_timecode || clock(hit.start)}`;
  begin({ like: hit.id, algos: [search.name], filter: filter(), ...minScore() }, ["More like", label]);
}

function searchLinesLike(hit) {
  const line = hit.match.text;
  const options = { [DIALOGUE]: { mode: "semantic" } };
  const request = { text: line.slice(0, $("query").maxLength > 0 ? $("query").maxLength : line.length) };
  begin({ ...request, algos: [hit.searcher || DIALOGUE], options, filter: filter(), ...minScore() }, ["Lines like", line]);
}

function searchImage() {
  const input = $("image-input");
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  if (state.maxUpload && file.size > state.maxUpload) {
    showError(new Error(`${file.name} is ${file.size} bytes; this server accepts images of at most ${state.maxUpload} bytes`));
    return;
  }
  state.base = { image: null, algos: [], filter: filter() };
  state.label = ["Image", file.name];
  state.page = { offset: 0, cursor: null };
  state.history = [];
  const form = new FormData();
  form.append("file", file);
  form.append("params", JSON.stringify(withDedupe(withGrouping({ filter: filter(), limit: pageSize() }))));
  runPage(() => api("/api/search/image", { method: "POST", body: form }));
}

function goNext() {
  if (!state.next) return;
  state.history.push(state.page);
  state.page = state.next;
  runPage();
}

function goPrevious() {
  if (!state.history.length) return;
  state.page = state.history.pop();
  runPage();
}

// ---------------------------------------------------------------- rendering

function render(response) {
  state.lastResponse = response;
  const hits = response.hits;
  $("empty").hidden = true;
  const chip = $("query-chip");
  chip.replaceChildren(el("b", null, `${state.label[0]}:`), document.createTextNode(` ${state.label[1]}`));
  chip.hidden = false;
  const first = state.page.offset + 1;
  const of = typeof response.total === "number" ? ` of ${response.total}` : "";
  $("status").textContent = hits.length
    ? `Hits ${first}–${first + hits.length - 1}${of} · ${response.took_ms.toFixed(1)} ms`
    : state.history.length ? "No more hits" : "No shots match this search";
  const totals = new Map((response.groups || []).map((g) => [g.key, g.count]));

  const groups = new Map();
  for (const hit of hits) {
    if (!groups.has(hit.title)) groups.set(hit.title, []);
    groups.get(hit.title).push(hit);
  }
  const sections = [];
  for (const [title, group] of groups) {
    group.sort(byTime() ? inTime : (a, b) => b.score - a.score || inTime(a, b));
    const section = el("section", "group");
    section.dataset.title = title;
    const head = el("div", "group-head");
    const total = totals.get(title);
    const counted = total && total > group.length ? `${group.length} of ${total} hits` : `${group.length} ${group.length === 1 ? "hit" : "hits"}`;
    head.append(el("h2", null, title), el("span", "count", counted));
    const grid = el("div", "grid");
    grid.append(...group.map(card));
    section.append(head, grid);
    sections.push(section);
  }
  $("results").replaceChildren(...sections);

  $("pager").hidden = !state.history.length && !state.next;
  $("prev").disabled = !state.history.length;
  $("next").disabled = !state.next;
  $("page-label").textContent = `Page ${state.history.length + 1}`;
}

function byTime() {
  return $("sort-order").value === "time";
}

function inTime(a, b) {
  return a.asset_id.localeCompare(b.asset_id) || a.start - b.start;
}

function score(value) {
  return typeof value === "number" ? value.toFixed(3) : "–";
}

function matchedLine(match, className = "line") {
  // The line with the query's words marked, built from text nodes: the line is user data.
  const quote = el("blockquote", className);
  if (match.speaker) quote.append(el("span", "speaker", match.speaker));
  const text = match.text;
  let at = 0;
  const words = [...(match.words || [])].sort((a, b) => a.start - b.start);
  for (const word of words) {
    if (word.start < at || word.end > text.length || word.end <= word.start) continue;
    if (word.start > at) quote.append(document.createTextNode(text.slice(at, word.start)));
    quote.append(el("mark", null, text.slice(word.start, word.end)));
    at = word.end;
  }
  if (at < text.length) quote.append(document.createTextNode(text.slice(at)));
  return quote;
}

function partnerNote(partner) {
  const note = el("div", "partner");
  const where = `${clock(partner.start)}–${clock(partner.end)}`;
  note.append(el("span", "partner-label", `with ${partner.searcher || partner.algo} ${where}`));
  if (partner.match && partner.match.text) note.append(matchedLine(partner.match, "line partner-line"));
  return note;
}

function scoreRow(hit) {
  const row = el("div", "meta-row");
  row.append(el("span", "badge", hit.searcher || hit.algo));
  if (hit.match && hit.match.mode) row.append(el("span", "badge mode", hit.match.mode));
  const fused = el("span", "score", `score ${score(hit.score)}`);
  const sources = Object.entries(hit.scores || {});
  const raw = typeof hit.raw_score === "number" && Math.abs(hit.raw_score - hit.score) > 5e-4;
  if (raw) fused.append(el("span", "raw", ` · raw ${score(hit.raw_score)}`));
  fused.title = sources.length
    ? `Fused score ${score(hit.score)}; ${sources.map(([name, value]) => `${name} ${score(value)}`).join(", ")}`
    : `Score ${score(hit.score)} (${hit.searcher || hit.algo}); set a min score to leave out lower ones`;
  row.append(fused);
  return row;
}

function similarShots(hit) {
  // The near-duplicate shots that dedupe folded into this hit: "n similar shots", expandable,
  // each a row with its timecodes and score that plays its own range.
  const members = Array.isArray(hit.extra.similar) ? hit.extra.similar : [];
  const count = hit.extra.similar_count;
  const box = el("details", "similar");
  box.append(el("summary", null, `${count} similar ${count === 1 ? "shot" : "shots"}`));
  const list = el("ul", "similar-list");
  for (const member of members) {
    const shot = {
      ...hit,
      id: String(member.id),
      shot_index: member.shot_index,
      start: Number(member.start),
      end: Number(member.end),
      score: member.score,
      raw_score: member.score,
      start_timecode: member.start_timecode || null,
      end_timecode: member.end_timecode || null,
      extra: {},
    };
    const row = el("button", "similar-shot");
    row.type = "button";
    row.title = "Play this shot";
    row.append(el("span", "similar-time", timecodes(shot)), el("span", "similar-score", score(member.score)));
    row.addEventListener("click", () => play(shot));
    const item = el("li");
    item.append(row);
    list.append(item);
  }
  box.append(list);
  return box;
}

function setSelected(hit, on) {
  if (on) state.selected.set(hit.id, hit);
  else state.selected.delete(hit.id);
  for (const node of document.querySelectorAll(".card")) {
    if (node.dataset.hitId !== hit.id) continue;
    node.classList.toggle("selected", on);
    node.setAttribute("aria-selected", String(on));
    node.querySelector(".pick input").checked = on;
  }
  showSelection();
}

function showSelection() {
  const count = state.selected.size;
  $("selection-bar").hidden = count === 0;
  $("selection-count").textContent = `${count} ${count === 1 ? "hit" : "hits"} selected`;
}

function clearSelection() {
  for (const hit of [...state.selected.values()]) setSelected(hit, false);
}

async function exportSelected() {
  clearError();
  const hits = [...state.selected.values()].map((hit) => {
    const plain = { ...hit };
    for (const field of HIT_URL_FIELDS) delete plain[field];
    return plain;
  });
  const handles = Number($("handles").value);
  const request = {
    hits,
    format: $("export-format").value,
    handles: Number.isFinite(handles) && handles > 0 ? handles : 0,
  };
  if (state.label) request.name = state.label[1].slice(0, 200);
  try {
    await download("/api/export", request);
  } catch (error) {
    showError(error);
  }
}

function card(hit) {
  const node = el("article", "card");
  node.dataset.hitId = hit.id;
  node.tabIndex = 0;
  const selected = state.selected.has(hit.id);
  node.classList.toggle("selected", selected);
  node.setAttribute("aria-selected", String(selected));
  node.setAttribute("aria-label", `${hit.title} ${timecodes(hit)}`);
  node.addEventListener("keydown", (event) => cardKey(event, hit));

  const thumb = el("button", "thumb");
  thumb.type = "button";
  thumb.tabIndex = -1; // the card takes focus; Enter plays
  thumb.title = "Play this shot";
  if (hit.thumbnail_url) {
    const image = el("img");
    image.src = hit.thumbnail_url; // a signed link: loads without the key
    image.alt = `${hit.title} at ${hit.start_timecode || clock(hit.start)}`;
    image.loading = "lazy";
    thumb.append(image);
  } else {
    thumb.append(el("span", "no-thumb", "No thumbnail"));
  }
  thumb.append(el("span", "play"), el("span", "duration", `${(hit.end - hit.start).toFixed(1)} s`));
  thumb.addEventListener("click", () => play(hit));

  const pick = el("label", "pick");
  pick.title = "Select for export (Space)";
  const box = el("input");
  box.type = "checkbox";
  box.tabIndex = -1;
  box.checked = selected;
  box.setAttribute("aria-label", `Select ${hit.title} ${timecodes(hit)}`);
  box.addEventListener("change", () => setSelected(hit, box.checked));
  pick.append(box);

  const meta = el("div", "meta");
  const head = el("div", "meta-head");
  head.append(el("div", "timecode", timecodes(hit)), pick);
  meta.append(head);
  if (hit.match && hit.match.text) meta.append(matchedLine(hit.match));
  meta.append(scoreRow(hit));
  const bar = el("div", "score-bar");
  const fill = el("span");
  fill.style.width = `${Math.round(Math.max(0, Math.min(1, hit.raw_score ?? hit.score)) * 100)}%`;
  bar.append(fill);
  meta.append(bar);
  for (const partner of hit.partners || []) meta.append(partnerNote(partner));
  if (hit.extra && hit.extra.similar_count > 0) meta.append(similarShots(hit));

  const actions = el("div", "actions");
  const search = likeSearch(hit);
  if (search) {
    const like = el("button", "like", "More like this");
    like.type = "button";
    like.addEventListener("click", () => searchLike(hit, search));
    actions.append(like);
  }
  if (hit.match && hit.match.text && (hit.searcher || hit.algo) === DIALOGUE) {
    const lines = el("button", "like lines-like", "More lines like this");
    lines.type = "button";
    lines.addEventListener("click", () => searchLinesLike(hit));
    actions.append(lines);
  }
  if (actions.childElementCount) meta.append(actions);

  node.append(thumb, meta);
  return node;
}

// ---------------------------------------------------------------- keyboard

function cardKey(event, hit) {
  if (event.target !== event.currentTarget) return; // a button inside the card has its own keys
  const cards = [...document.querySelectorAll("#results .card")];
  const here = cards.indexOf(event.currentTarget);
  let next = null;
  if (event.key === "ArrowRight") next = cards[here + 1];
  else if (event.key === "ArrowLeft") next = cards[here - 1];
  else if (event.key === "ArrowDown" || event.key === "ArrowUp") next = cardInRow(cards, here, event.key === "ArrowDown" ? 1 : -1);
  else if (event.key === "Home") next = cards[0];
  else if (event.key === "End") next = cards[cards.length - 1];
  else if (event.key === "Enter") {
    event.preventDefault();
    play(hit);
    return;
  } else if (event.key === " ") {
    event.preventDefault();
    setSelected(hit, !state.selected.has(hit.id));
    return;
  } else return;
  event.preventDefault();
  if (next) {
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }
}

function cardInRow(cards, here, direction) {
  // The card in the next (or previous) row, across groups, nearest in x to this one.
  const box = (node) => node.getBoundingClientRect();
  const from = box(cards[here]);
  let row = null;
  let best = null;
  for (let i = here + direction; i >= 0 && i < cards.length; i += direction) {
    const at = box(cards[i]);
    const top = Math.round(at.top);
    if (top === Math.round(from.top)) continue;
    if (row === null) row = top;
    if (top !== row) break;
    if (!best || Math.abs(at.left - from.left) < Math.abs(box(best).left - from.left)) best = cards[i];
  }
  return best;
}

// ---------------------------------------------------------------- playing a shot

const DEFAULT_FPS = 25;

function play(hit) {
  // The source video from the hit's in point, stopping at its out point.
  const video = $("player-video");
  state.playing = hit;
  state.stopAtOut = true;
  video.src = `${hit.source_url}#t=${hit.start.toFixed(3)}`; // a signed link, like the thumbnail
  const fps = hit.fps || DEFAULT_FPS;
  $("player-caption").textContent = `${hit.title}${hit.match && hit.match.speaker ? ` · ${hit.match.speaker}` : ""}`;
  $("player-in").textContent = hit.start_timecode || frameTimecode(hit.start, fps, hit.media_start_timecode);
  $("player-out").textContent = hit.end_timecode || frameTimecode(hit.end, fps, hit.media_start_timecode);
  $("player-now").textContent = frameTimecode(hit.start, fps, hit.media_start_timecode);
  if (!$("player").open) $("player").showModal();
  video.play().catch(() => {});
}

function playerTime() {
  const hit = state.playing;
  if (!hit) return;
  stopAtOut();
  $("player-now").textContent = frameTimecode($("player-video").currentTime, hit.fps || DEFAULT_FPS, hit.media_start_timecode);
}

function stopAtOut() {
  // Checked every animation frame while playing (timeupdate alone comes every ~250 ms).
  const hit = state.playing;
  const video = $("player-video");
  if (!hit || !state.stopAtOut) return;
  if (video.currentTime >= hit.end) {
    state.stopAtOut = false;
    video.pause();
    video.currentTime = hit.end;
  } else if (!video.paused) {
    requestAnimationFrame(stopAtOut);
  }
}

function stepFrame(frames) {
  const hit = state.playing;
  if (!hit) return;
  const video = $("player-video");
  state.stopAtOut = false;
  video.pause();
  const fps = hit.fps || DEFAULT_FPS;
  // Aim at the middle of the frame so that rounding lands on it.
  const frame = Math.floor(video.currentTime * fps + 1e-6) + frames;
  const limit = Number.isFinite(video.duration) ? video.duration : Infinity;
  video.currentTime = Math.min(limit, Math.max(0, (frame + 0.5) / fps));
  $("player-now").textContent = frameTimecode(video.currentTime, fps, hit.media_start_timecode);
}

function playRange() {
  const hit = state.playing;
  if (!hit) return;
  const video = $("player-video");
  state.stopAtOut = true;
  video.currentTime = hit.start;
  video.play().catch(() => {});
}

function closePlayer() {
  const video = $("player-video");
  const hit = state.playing;
  state.playing = null;
  video.pause();
  video.removeAttribute("src");
  video.load();
  if ($("player").open) $("player").close();
  const card = hit && [...document.querySelectorAll(".card")].find((c) => c.dataset.hitId === hit.id);
  if (card) card.focus();
}

// ---------------------------------------------------------------- wiring

function hasQuery() {
  return Boolean(state.base) && state.base.image !== null;
}

async function useKey(event) {
  event.preventDefault();
  state.apiKey = $("api-key").value.trim();
  localStorage.setItem(KEY_STORAGE, state.apiKey);
  $("key-panel").hidden = true;
  clearError();
  $("search-kind").replaceChildren($("search-kind").options[0]);
  await start();
  if (hasQuery()) runPage();
}

document.addEventListener("DOMContentLoaded", () => {
  $("search-form").addEventListener("submit", searchText);
  $("image-input").addEventListener("change", searchImage);
  $("error-close").addEventListener("click", clearError);
  $("key-panel").addEventListener("submit", useKey);
  $("next").addEventListener("click", goNext);
  $("prev").addEventListener("click", goPrevious);
  $("page-size").addEventListener("change", () => {
    if (hasQuery()) begin(state.base, state.label);
  });
  $("player-close").addEventListener("click", closePlayer);
  $("player-video").addEventListener("timeupdate", playerTime);
  $("player-video").addEventListener("play", () => requestAnimationFrame(stopAtOut));
  $("player-video").addEventListener("seeked", playerTime);
  $("frame-back").addEventListener("click", () => stepFrame(-1));
  $("frame-forward").addEventListener("click", () => stepFrame(1));
  $("play-range").addEventListener("click", playRange);
  $("player").addEventListener("keydown", (event) => {
    if (event.key === ",") stepFrame(-1);
    else if (event.key === ".") stepFrame(1);
    else return;
    event.preventDefault();
  });
  $("export-button").addEventListener("click", exportSelected);
  $("selection-clear").addEventListener("click", clearSelection);
  $("title-filter").addEventListener("change", loadSpeakers);
  $("sort-order").addEventListener("change", () => {
    if (state.lastResponse) render(state.lastResponse);
  });
  $("dedupe").addEventListener("change", () => {
    if (hasQuery()) begin(state.base, state.label);
  });
  $("player").addEventListener("close", closePlayer);
  $("player").addEventListener("click", (event) => {
    if (event.target === $("player")) closePlayer();
  });
  document.addEventListener("keydown", (event) => {
    const typing = document.activeElement && ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      $("query").focus();
    }
  });
  start();
});
