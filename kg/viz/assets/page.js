/* TradeKG graph page. Reads the graph from the JSON block, draws it with vis-network
 * (positions computed in Python, physics off), and wires search, filters, the date
 * control and the side panel. Every string from the data reaches the document through
 * textContent or a text node, never innerHTML. */
(function () {
  "use strict";

  var timings = { start: performance.now() };
  var data = JSON.parse(document.getElementById("tradekg-data").textContent);
  timings.parsed = performance.now();
  var classes = data.classes, relations = data.relations, quotes = data.quotes, articles = data.articles;
  var nodeData = data.nodes, edgeData = data.edges;
  var big = nodeData.length > 1000;  // no hover tooltips, edges hidden while dragging
  var labelAll = edgeData.length <= 800;  // above this, edge labels cost too much per frame: label the ones in view

  // ---- state of the filters ---------------------------------------------------
  var hiddenClasses = new Set(), hiddenRelations = new Set();
  var asOf = null; // ISO date string or null = every date

  function validOn(valid, day) {
    if (valid === null || valid === undefined || day === null) return true;
    for (var i = 0; i < valid.length; i++) {
      var s = valid[i][0], e = valid[i][1];
      if ((s === null || s <= day) && (e === null || day <= e)) return true;
    }
    return false;
  }
  function nodeVisible(n) { return !hiddenClasses.has(n.cls) && validOn(n.valid, asOf); }
  function edgeVisible(e) {
    return !hiddenRelations.has(e.rel) && validOn(e.valid, asOf) &&
      nodeVisible(nodeData[e.from]) && nodeVisible(nodeData[e.to]);
  }

  // ---- small DOM helpers (text only) ------------------------------------------
  function el(tag, attrs, children) {
    var x = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") x.textContent = attrs[k];
      else if (k === "className") x.className = attrs[k];
      else x.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      x.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return x;
  }
  function clear(x) { while (x.firstChild) x.removeChild(x.firstChild); }
  function safeUrl(u) { return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null; }
  function fmtValid(valid) {
    if (valid === null || valid === undefined) return "always (no dates)";
    if (!valid.length) return "never in force in the data";
    return valid.map(function (iv) { return (iv[0] || "…") + " – " + (iv[1] || "open"); }).join("; ");
  }

  // ---- vis data sets ------------------------------------------------------------
  function tooltip(lines) {
    var d = el("div", { className: "tip" });
    lines.forEach(function (l, i) { if (i) d.appendChild(el("br")); d.appendChild(document.createTextNode(l)); });
    return d;
  }
  var nodes = new vis.DataSet(nodeData.map(function (n) {
    var c = classes[n.cls];
    return {
      id: n.id, label: n.label.length > 48 ? n.label.slice(0, 46) + "…" : n.label, x: n.x, y: n.y, size: n.size, shape: c.shape,
      color: { background: c.color, border: "#333", highlight: { background: c.color, border: "#000" } },
      font: { size: 12 + Math.round(n.size / 8) },
      title: big ? undefined : tooltip([n.label, c.label])
    };
  }));
  var edges = new vis.DataSet(edgeData.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, label: labelAll ? relations[e.rel].label : undefined,
             title: big ? undefined : tooltip([nodeData[e.from].label + " — " + relations[e.rel].label + " → " + nodeData[e.to].label]) };
  }));
  var nodesView = new vis.DataView(nodes, { filter: function (n) { return nodeVisible(nodeData[n.id]); } });
  var edgesView = new vis.DataView(edges, { filter: function (e) { return edgeVisible(edgeData[e.id]); } });

  timings.datasets = performance.now();
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, {
    physics: { enabled: false },
    layout: { improvedLayout: false, hierarchical: false },
    interaction: { hover: !big, hideEdgesOnDrag: big, hideEdgesOnZoom: big, tooltipDelay: 300, multiselect: false },
    nodes: { borderWidth: 1, font: { face: "system-ui, sans-serif", color: "#222" },
             scaling: { label: { drawThreshold: 6 } } },
    edges: { smooth: false, width: 1, color: { color: "#a0a0a0", highlight: "#222", hover: "#555" },
             arrows: { to: { enabled: true, scaleFactor: 0.5 } },
             font: { size: 10, color: "#555", strokeWidth: 3, align: "middle" } }
  });

  timings.network = performance.now();
  var ready = false;
  // With many edges, edge labels cost seconds per frame, so only the edges in view are labelled, when zoomed in.
  var labelled = new Set(), labelTimer = null;
  function labelEdgesInView() {
    if (labelAll) return;
    var scale = network.getScale(), want = new Set();
    if (scale >= 0.5) {
      var c = network.getViewPosition();
      var w = container.clientWidth / scale / 2, h = container.clientHeight / scale / 2;
      var inView = function (n) { return Math.abs(n.x - c.x) <= w && Math.abs(n.y - c.y) <= h; };
      for (var i = 0; i < edgeData.length && want.size <= 800; i++) {
        var e = edgeData[i];
        if (inView(nodeData[e.from]) || inView(nodeData[e.to])) want.add(e.id);
      }
      if (want.size > 800) want = new Set();
    }
    var updates = [];
    labelled.forEach(function (id) { if (!want.has(id)) updates.push({ id: id, label: "" }); });
    want.forEach(function (id) { if (!labelled.has(id)) updates.push({ id: id, label: relations[edgeData[id].rel].label }); });
    labelled = want;
    if (updates.length) edges.update(updates);
  }
  function scheduleLabels() { clearTimeout(labelTimer); labelTimer = setTimeout(labelEdgesInView, 150); }
  network.on("zoom", scheduleLabels);
  network.on("dragEnd", scheduleLabels);

  network.once("afterDrawing", function () {
    ready = true;
    window.tradekgReadyAt = timings.drawn = performance.now();
    document.body.setAttribute("data-ready", "1");
  });

  // ---- header, legend, relation filters ----------------------------------------
  document.getElementById("view-title").textContent = data.view.title;
  document.getElementById("view-description").textContent = data.view.description;
  document.getElementById("generated").textContent =
    "From " + data.view.source + ", generated " + data.view.generated + ".";
  var counts = document.getElementById("counts");
  function updateCounts() {
    counts.textContent = nodesView.length + " of " + nodeData.length + " nodes, " +
      edgesView.length + " of " + edgeData.length + " edges" + (asOf ? " as of " + asOf : "");
  }
  function refresh() { nodesView.refresh(); edgesView.refresh(); updateCounts(); }

  function countBy(list, key) {
    var out = {}; list.forEach(function (x) { out[x[key]] = (out[x[key]] || 0) + 1; }); return out;
  }
  function checklist(target, items, counted, hidden, idPrefix) {
    items.forEach(function (item, i) {
      var box = el("input", { type: "checkbox", id: idPrefix + i });
      box.checked = true;
      box.addEventListener("change", function () {
        if (box.checked) hidden.delete(i); else hidden.add(i);
        refresh();
      });
      var label = el("label", { "for": idPrefix + i, title: item.comment || "" });
      label.style.display = "inline"; label.style.fontWeight = "normal";
      label.textContent = item.label;
      var children = [box];
      if (item.color) {
        var sw = el("span", { className: "swatch " + item.shape });
        sw.style.background = item.color;
        children.push(sw);
      }
      children.push(label, el("span", { className: "count", text: String(counted[i] || 0) }));
      target.appendChild(el("li", null, children));
    });
  }
  checklist(document.getElementById("legend"), classes, countBy(nodeData, "cls"), hiddenClasses, "cls-");
  checklist(document.getElementById("relations"), relations, countBy(edgeData, "rel"), hiddenRelations, "rel-");

  // ---- date control --------------------------------------------------------------
  var dateInput = document.getElementById("date"), slider = document.getElementById("date-slider");
  var days = data.changeDays || [];  // the slider steps through the days on which something changes
  if (days.length) {
    slider.min = "0"; slider.max = String(days.length); slider.value = String(days.length);
    slider.title = "drag through the days on which something changes; rightmost = all dates";
  } else {
    slider.disabled = true;
  }
  function setDate(iso) {
    asOf = iso && /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso : null;
    dateInput.value = asOf || "";
    if (days.length) {
      var i = 0;
      if (asOf === null) i = days.length;
      else while (i < days.length - 1 && days[i + 1] <= asOf) i++;
      slider.value = String(i);
    }
    refresh();
  }
  dateInput.addEventListener("change", function () { setDate(dateInput.value); });
  dateInput.addEventListener("input", function () { if (/^\d{4}-\d{2}-\d{2}$/.test(dateInput.value)) setDate(dateInput.value); });
  slider.addEventListener("input", function () {
    var i = parseInt(slider.value, 10);
    setDate(i >= days.length ? null : days[i]);
  });
  document.getElementById("date-clear").addEventListener("click", function () { setDate(null); });

  // ---- search ----------------------------------------------------------------------
  var search = document.getElementById("search"), results = document.getElementById("search-results");
  var matches = [];
  function findNodes(text) {
    var q = text.trim().toLowerCase();
    if (!q) return [];
    var exact = [], starts = [], contains = [];
    nodeData.forEach(function (n) {
      var label = n.label.toLowerCase(), short = n.short.toLowerCase();
      var id = short.slice(short.lastIndexOf("/") + 1);
      var aliases = (n.aliases || []).map(function (a) { return a.toLowerCase(); });
      if (label === q || id === q || short === q || n.iri.toLowerCase() === q || aliases.indexOf(q) >= 0) exact.push(n);
      else if (label.indexOf(q) === 0 || id.indexOf(q) === 0) starts.push(n);
      else if (label.indexOf(q) >= 0 || short.indexOf(q) >= 0) contains.push(n);
    });
    var bySize = function (a, b) { return b.degree - a.degree || a.label.localeCompare(b.label); };
    return exact.sort(bySize).concat(starts.sort(bySize), contains.sort(bySize)).slice(0, 30);
  }
  function showResults() {
    matches = findNodes(search.value);
    clear(results);
    matches.forEach(function (n, i) {
      var li = el("li", { role: "option", "data-node": String(n.id) },
        [n.label, " ", el("span", { className: "muted", text: classes[n.cls].label })]);
      if (i === 0) li.className = "active";
      li.addEventListener("click", function () { focusNode(n.id); });
      results.appendChild(li);
    });
  }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { showResults(); if (matches.length) focusNode(matches[0].id); ev.preventDefault(); }
    if (ev.key === "Escape") { search.value = ""; clear(results); }
  });

  function focusNode(id) {
    var n = nodeData[id];
    if (!nodeVisible(n)) { // make it visible: its class on, every date
      hiddenClasses.delete(n.cls);
      var box = document.getElementById("cls-" + n.cls); if (box) box.checked = true;
      if (!validOn(n.valid, asOf)) setDate(null); else refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
    labelEdgesInView();
    showNode(id);
  }

  // ---- side panel --------------------------------------------------------------------
  var panel = document.getElementById("panel"), body = document.getElementById("panel-body");
  document.getElementById("panel-close").addEventListener("click", function () {
    panel.hidden = true; network.unselectAll();
  });
  function nodeLink(id) {
    var a = el("a", { className: "node-link", href: "#", text: nodeData[id].label, "data-node": String(id) });
    a.addEventListener("click", function (ev) { ev.preventDefault(); focusNode(id); });
    return a;
  }
  function evidenceList(indices) {
    if (!indices.length) return el("p", { className: "empty", text: "No quoted evidence (this comes from the entity registry or the ontology)." });
    var ul = el("ul", { className: "evidence" });
    indices.forEach(function (qi) {
      var q = quotes[qi], a = articles[q.article];
      var bq = el("blockquote", null, [
        el("span", { className: "ctx", text: q.prefix ? "…" + q.prefix : "" }),
        el("span", { className: "exact", text: q.exact }),
        el("span", { className: "ctx", text: q.suffix ? q.suffix + "…" : "" })
      ]);
      var url = safeUrl(a.url);
      var title = url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: a.title })
                      : el("span", { text: a.title });
      var src = el("div", { className: "source" }, [
        title, a.date ? ", " + a.date : "", a.publisher ? ", " + a.publisher : "",
        q.outlet ? " (attributed to " + q.outlet + ")" : "",
        q.role ? " · supports: " + q.role : "",
        " · fact: " + q.fact
      ]);
      ul.appendChild(el("li", null, [bq, src]));
    });
    return ul;
  }
  function open(children) {
    clear(body);
    children.forEach(function (c) { if (c) body.appendChild(c); });
    panel.hidden = false;
    panel.scrollTop = 0;
  }
  function dl(rows) {
    var x = el("dl");
    rows.forEach(function (r) { x.appendChild(el("dt", { text: r[0] })); x.appendChild(el("dd", null, [r[1]])); });
    return x;
  }
  function showNode(id) {
    var n = nodeData[id], c = classes[n.cls];
    var rows = [["valid", fmtValid(n.valid)], ["degree", String(n.degree)], ["betweenness", String(n.betweenness)]];
    n.props.forEach(function (p) { rows.push([p[0], p[2] !== null ? nodeLink(p[2]) : String(p[1])]); });
    var parts = [
      el("h2", { id: "panel-title", text: n.label }),
      el("div", { className: "kind", text: c.label }),
      el("div", { className: "iri", text: n.iri }),
      el("h3", { text: "Properties" }), dl(rows)
    ];
    if (n.status.length) {
      parts.push(el("h3", { text: "Status history" }));
      parts.push(dl(n.status.map(function (s) {
        return [s.date, s.status + (s.until ? " until " + s.until : "") + (s.rate ? ", rate " + s.rate + "%" : "") +
          (s.instrument ? ", under " + s.instrument : "") + (s.inForce ? " (in force)" : " (not in force)")];
      })));
    }
    parts.push(el("h3", { text: "Evidence (" + n.ev.length + ")" }), evidenceList(n.ev));
    var conn = edgeData.filter(function (e) { return e.from === id || e.to === id; });
    if (conn.length) {
      parts.push(el("h3", { text: "Connections (" + conn.length + ")" }));
      var ul = el("ul", { className: "checklist" });
      conn.slice(0, 200).forEach(function (e) {
        var out = e.from === id, other = out ? e.to : e.from;
        var rel = el("a", { className: "node-link", href: "#", text: relations[e.rel].label });
        rel.addEventListener("click", function (ev) { ev.preventDefault(); network.selectEdges([e.id]); showEdge(e.id); });
        ul.appendChild(el("li", null, out ? [rel, " → ", nodeLink(other)] : [nodeLink(other), " → ", rel]));
      });
      parts.push(ul);
    }
    open(parts);
    body.setAttribute("data-kind", "node");
    body.setAttribute("data-iri", n.iri);
  }
  function showEdge(id) {
    var e = edgeData[id], r = relations[e.rel];
    var rows = [["from", nodeLink(e.from)], ["relation", r.label], ["to", nodeLink(e.to)], ["valid", fmtValid(e.valid)],
                ["property", r.iri]];
    e.facts.forEach(function (f) { rows.push(["via", f]); });
    open([
      el("h2", { id: "panel-title", text: nodeData[e.from].label + " — " + r.label + " → " + nodeData[e.to].label }),
      el("div", { className: "kind", text: r.comment || "" }),
      el("h3", { text: "Properties" }), dl(rows),
      el("h3", { text: "Evidence (" + e.ev.length + ")" }), evidenceList(e.ev)
    ]);
    body.setAttribute("data-kind", "edge");
    body.setAttribute("data-iri", r.iri);
  }
  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else panel.hidden = true;
  });

  updateCounts();

  // ---- a small API for tests and for people at the console -----------------------------
  window.tradekg = {
    network: network, data: data, timings: timings,
    isReady: function () { return ready; },
    visibleNodeIris: function () { return nodesView.getIds().map(function (i) { return nodeData[i].iri; }); },
    visibleEdgeCount: function () { return edgesView.length; },
    nodeId: function (iri) { for (var i = 0; i < nodeData.length; i++) if (nodeData[i].iri === iri) return i; return null; },
    setDate: setDate, focusNode: focusNode, showNode: showNode, showEdge: showEdge
  };
})();
