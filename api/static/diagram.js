/* The diagram page (/forlopstyper/{key}/versjoner/{id}/diagram): draws the version's BPMN with the vendored
   bpmn.io (navigated) viewer and puts the live counts from the overlay endpoint on its elements. Everything shown
   here is also in the page's table, which is what works without JavaScript. No inline script: the page's policy
   allows only scripts from this server. */
(function () {
  "use strict";

  var container = document.getElementById("diagram");
  var statusLine = document.getElementById("diagram-status");
  if (!container || typeof window.BpmnJS !== "function") {
    return;
  }

  function say(text) {
    statusLine.textContent = text;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function fetchOk(url, read) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: read === "json" ? "application/json" : "application/xml" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + " svarte " + response.status); }
        return read === "json" ? response.json() : response.text();
      });
  }

  function elementUrl(elementId) {
    return container.dataset.page + "?element=" + encodeURIComponent(elementId) + "#valgt";
  }

  /* Events are small circles with their name below: their markers go beside and above them instead. */
  function isEvent(registry, id) {
    return /Event$/.test(registry.get(id).type);
  }

  /* The counts of one element as a link to its row's page, e.g. "3 venter · 1 over fristen". */
  function countsBadge(counts) {
    var parts = [];
    if (counts.waiting) { parts.push([counts.waiting + " venter", "antall-venter", "waiting", counts.waiting]); }
    if (counts.overdue) { parts.push([counts.overdue + " over fristen", "antall-forfalt", "overdue", counts.overdue]); }
    if (counts.incidents) { parts.push([counts.incidents + " driftsfeil", "antall-driftsfeil", "incidents", counts.incidents]); }
    var badge = el("a", "diagram-tall");
    badge.href = elementUrl(counts.element_id);
    badge.dataset.overlayElement = counts.element_id;
    badge.setAttribute("aria-label", counts.label + ": " + parts.map(function (p) { return p[0]; }).join(", "));
    parts.forEach(function (part) {
      var span = el("span", part[1], part[0]);
      span.dataset.count = part[2];
      span.dataset.value = String(part[3]);
      badge.appendChild(span);
    });
    return badge;
  }

  function drawCounts(viewer, overlay) {
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    var canvas = viewer.get("canvas");
    overlay.elements.forEach(function (counts) {
      if (!registry.get(counts.element_id) || !(counts.waiting || counts.overdue || counts.incidents)) { return; }
      overlays.add(counts.element_id, "antall", { position: isEvent(registry, counts.element_id)
        ? { top: 2, left: 40 } : { top: -14, left: 0 }, html: countsBadge(counts) });
      canvas.addMarker(counts.element_id, counts.overdue ? "har-forfalte" : "har-ventende");
      if (counts.incidents) { canvas.addMarker(counts.element_id, "har-driftsfeil"); }
    });
  }

  /* A numbered marker on each deadline's start (▶) and end (■) elements, as in the list beside the diagram. */
  function drawIndicators(viewer) {
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    var canvas = viewer.get("canvas");
    var marks = {};
    var items = document.querySelectorAll(".frister li[data-indicator]");
    Array.prototype.forEach.call(items, function (item) {
      var number = item.dataset.indicator;
      [["from", "▶"], ["to", "■"]].forEach(function (end) {
        (item.dataset[end[0]] || "").split(" ").filter(Boolean).forEach(function (id) {
          if (!registry.get(id)) { return; }
          marks[id] = marks[id] || [];
          marks[id].push(end[1] + number);
        });
      });
      function highlight(on) {
        (item.dataset.from + " " + item.dataset.to).split(" ").filter(Boolean).forEach(function (id) {
          if (!registry.get(id)) { return; }
          if (on) { canvas.addMarker(id, "frist-valgt"); } else { canvas.removeMarker(id, "frist-valgt"); }
        });
      }
      item.tabIndex = 0;
      item.addEventListener("mouseenter", function () { highlight(true); });
      item.addEventListener("mouseleave", function () { highlight(false); });
      item.addEventListener("focus", function () { highlight(true); });
      item.addEventListener("blur", function () { highlight(false); });
    });
    Object.keys(marks).forEach(function (id) {
      var tag = el("span", "diagram-frist", marks[id].join(" "));
      tag.dataset.indicatorElement = id;
      tag.title = "Forløpstid " + marks[id].join(", ") + " (se listen ved siden av)";
      overlays.add(id, "frist", { position: isEvent(registry, id) ? { top: -16, left: 0 } : { bottom: 4, left: 0 },
                                  html: tag });
    });
  }

  function followClicks(viewer, overlay) {
    var known = {};
    overlay.elements.forEach(function (counts) { known[counts.element_id] = true; });
    viewer.get("eventBus").on("element.click", function (event) {
      if (known[event.element.id]) { window.location.href = elementUrl(event.element.id); }
    });
  }

  /* Wide pathways would be unreadable fitted into the frame: show the diagram's full height at no more than
     100 %, from its left edge, and let the reader drag, scroll or use the buttons to move and zoom. */
  function showReadable(viewer) {
    var canvas = viewer.get("canvas");
    var inner = canvas.viewbox().inner;
    var pad = 30;
    var scale = Math.min(1, container.clientHeight / (inner.height + 2 * pad));
    canvas.viewbox({ x: inner.x - pad, y: inner.y - pad, width: container.clientWidth / scale,
                     height: container.clientHeight / scale });
  }

  function zoomButtons(viewer) {
    var canvas = viewer.get("canvas");
    var bar = el("div", "diagram-knapper");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Zoom i diagrammet");
    [["Forstørr", function () { canvas.zoom(canvas.zoom() * 1.25); }],
     ["Forminsk", function () { canvas.zoom(canvas.zoom() / 1.25); }],
     ["Hele diagrammet", function () { canvas.zoom("fit-viewport"); }],
     ["Lesbar størrelse", function () { showReadable(viewer); }]].forEach(function (button) {
      var node = el("button", "sekundær", button[0]);
      node.type = "button";
      node.addEventListener("click", button[1]);
      bar.appendChild(node);
    });
    container.parentNode.insertBefore(bar, container);
  }

  var viewer = new window.BpmnJS({ container: container, overlays: { defaults: { scale: { min: 0.8 } } } });
  say("Laster diagrammet …");
  Promise.all([fetchOk(container.dataset.bpmn, "xml"), fetchOk(container.dataset.overlay, "json")])
    .then(function (loaded) {
      return viewer.importXML(loaded[0]).then(function () { return loaded[1]; });
    })
    .then(function (overlay) {
      showReadable(viewer);
      zoomButtons(viewer);
      drawCounts(viewer, overlay);
      drawIndicators(viewer);
      followClicks(viewer, overlay);
      var chosen = container.dataset.chosen;
      if (chosen && viewer.get("elementRegistry").get(chosen)) { viewer.get("canvas").addMarker(chosen, "valgt"); }
      container.classList.add("diagram-klar");
      say("");
    })
    .catch(function (error) {
      say("Diagrammet kunne ikke vises (" + error.message + "). Tallene står i tabellen under.");
    });
})();
