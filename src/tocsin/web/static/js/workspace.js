// Tocsin workspace: charts (Chart.js), graphs (Cytoscape.js), judgements and uploads.
// Data comes from data-* attributes rendered by the server or from the JSON API; nothing here
// is inline in a page (CSP script-src 'self').
(function () {
  "use strict";
  var T = window.Tocsin;

  var LEVEL_COLOURS = { low: "#2b8a3e", medium: "#b26a00", high: "#d9480f", critical: "#b3141b" };
  var CATEGORY_COLOURS = {
    recruitment_lure: "#d9480f",
    forced_criminality: "#b3141b",
    pig_butchering: "#9c36b5",
    payment: "#1971c2",
    generic_fraud: "#5f6b7a",
  };
  var NAVY = "#1f3b5c";

  // -- charts ---------------------------------------------------------------------------------

  function chartDefaults() {
    if (!window.Chart) return;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#4a5765";
    Chart.defaults.plugins.legend.display = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = false;
  }

  function fillDays(series) {
    // [["2025-01-03", 4], ...] -> every day of the span, zero where nothing was seen.
    if (!series.length) return series;
    var out = [];
    var byDay = {};
    series.forEach(function (p) { byDay[p[0]] = p[1]; });
    var day = new Date(series[0][0] + "T00:00:00Z");
    var last = new Date(series[series.length - 1][0] + "T00:00:00Z");
    while (day <= last) {
      var key = day.toISOString().slice(0, 10);
      out.push([key, byDay[key] || 0]);
      day.setUTCDate(day.getUTCDate() + 1);
    }
    return out;
  }

  function drawChart(canvas) {
    var kind = canvas.getAttribute("data-chart");
    var series = T.readJson(canvas, "series") || [];
    var labels, values, colours, type = "bar", options = { scales: {} };
    if (kind === "timeline") {
      series = fillDays(series);
      labels = series.map(function (p) { return p[0]; });
      values = series.map(function (p) { return p[1]; });
      colours = NAVY;
      options.scales = {
        x: { grid: { display: false }, ticks: { maxTicksLimit: 8, autoSkip: true } },
        y: { beginAtZero: true, ticks: { precision: 0 } },
      };
    } else if (kind === "levels") {
      type = "doughnut";
      labels = series.map(function (p) { return p[0]; });
      values = series.map(function (p) { return p[1]; });
      colours = labels.map(function (l) { return LEVEL_COLOURS[l] || NAVY; });
      options = { cutout: "62%", plugins: { legend: { display: true, position: "right" } } };
    } else {
      labels = series.map(function (p) { return p[0].replace(/_/g, " "); });
      values = series.map(function (p) { return p[1]; });
      colours = kind === "categories"
        ? series.map(function (p) { return CATEGORY_COLOURS[p[0]] || NAVY; })
        : NAVY;
      options.indexAxis = "y";
      options.scales = {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { grid: { display: false }, ticks: { autoSkip: false } },
      };
    }
    if (!values.length) {
      canvas.parentNode.classList.add("empty");
      canvas.parentNode.textContent = "Nothing yet.";
      return;
    }
    return new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: [{ data: values, backgroundColor: colours, borderWidth: 0, borderRadius: type === "bar" ? 3 : 0 }] },
      options: options,
    });
  }

  // -- graphs ---------------------------------------------------------------------------------

  function graphStyle() {
    return [
      { selector: "node", style: { "font-size": 9, color: "#17212b", "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 110, "min-zoomed-font-size": 7 } },
      { selector: "node[kind = 'document']", style: { shape: "round-rectangle", width: 18, height: 18, label: "data(label)", "background-color": "#adb5bd" } },
      { selector: "node[level = 'low']", style: { "background-color": LEVEL_COLOURS.low } },
      { selector: "node[level = 'medium']", style: { "background-color": LEVEL_COLOURS.medium } },
      { selector: "node[level = 'high']", style: { "background-color": LEVEL_COLOURS.high } },
      { selector: "node[level = 'critical']", style: { "background-color": LEVEL_COLOURS.critical } },
      { selector: "node[kind = 'selector']", style: { shape: "ellipse", width: 14, height: 14, label: "data(label)", "background-color": "#4c6ef5" } },
      { selector: "node[?hub]", style: { "background-color": "#adb5bd", "border-width": 2, "border-color": "#868e96", "border-style": "dashed" } },
      { selector: "node.start", style: { "border-width": 4, "border-color": "#fab005", width: 24, height: 24, "font-weight": "bold" } },
      { selector: "edge", style: { width: 1.2, "line-color": "#c4ccd5", "curve-style": "haystack" } },
      { selector: "node:selected", style: { "overlay-opacity": 0.15, "overlay-color": "#3b82f6" } },
    ];
  }

  function drawGraph(box) {
    if (!window.cytoscape) return;
    var url = box.getAttribute("data-graph-url");
    var start = box.getAttribute("data-start");
    var status = box.querySelector(".graph-status");
    var info = box.parentNode.querySelector(".graph-info");
    T.api("GET", url).then(function (data) {
      var graph = data && data.graph ? data.graph : data;
      (graph.nodes || []).forEach(function (n) {
        // two selectors can share a value (a WhatsApp number is also a phone): name the type
        if (n.data.kind === "selector" && n.data.type) n.data.label = n.data.type + ": " + n.data.label;
      });
      var elements = (graph.nodes || []).concat(graph.edges || []);
      if (!graph.nodes || !graph.nodes.length) {
        status.textContent = "Nothing linked yet.";
        return;
      }
      status.remove();
      var cy = cytoscape({
        container: box,
        elements: elements,
        style: graphStyle(),
        layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 60, padding: 20 },
        wheelSensitivity: 0.3,
        minZoom: 0.2,
        maxZoom: 3,
      });
      if (start) cy.getElementById(start).addClass("start");
      box.setAttribute("data-nodes", String(cy.nodes().length));
      box.classList.add("ready");
      if (info) {
        info.textContent = cy.nodes("[kind = 'document']").length + " documents, " +
          cy.nodes("[kind = 'selector']").length + " selectors" + (graph.truncated ? " (truncated: the walk stopped at its limit)" : "");
      }
      cy.on("tap", "node", function (event) {
        var node = event.target.data();
        var href = node.kind === "document"
          ? "/app/documents/" + node.id
          : "/app/selectors/" + encodeURIComponent(node.id).replace(/%3A/g, ":").replace(/%40/g, "@");
        window.location.assign(href);
      });
      cy.on("mouseover", "node", function (event) {
        var node = event.target.data();
        if (info) {
          info.textContent = node.kind === "document"
            ? "Document " + node.id.slice(0, 12) + " · risk " + node.risk + " (" + node.level + ")"
            : (node.hub ? "Hub selector (not followed): " : "Selector ") + node.id;
        }
      });
      window.TocsinGraphs = (window.TocsinGraphs || []).concat([cy]);
    }).catch(function (error) {
      status.textContent = "The graph could not be loaded: " + error.message;
    });
  }

  // -- judgements -----------------------------------------------------------------------------

  function bindJudgements(root) {
    root.querySelectorAll(".judge").forEach(function (box) {
      var out = box.querySelector(".judged");
      box.querySelectorAll("button[data-decision]").forEach(function (button) {
        button.addEventListener("click", function () {
          var decision = button.getAttribute("data-decision");
          button.classList.add("busy");
          T.api("POST", "/api/v1/judgements", {
            target: "link",
            a: { kind: "document", id: box.getAttribute("data-doc") },
            b: { kind: "selector", id: box.getAttribute("data-sel") },
            decision: decision,
          }).then(function () {
            out.className = "judged " + decision;
            out.textContent = decision === "confirm" ? "confirmed" : "rejected";
          }).catch(function (error) {
            out.className = "judged reject";
            out.textContent = "not saved: " + error.message;
          }).finally(function () { button.classList.remove("busy"); });
        });
      });
    });
  }

  // -- upload ---------------------------------------------------------------------------------

  function escapeText(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function bindUpload() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var input = document.getElementById("file");
    var zone = document.getElementById("dropzone");
    var progress = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var status = document.getElementById("upload-status");
    var result = document.getElementById("upload-result");
    var button = document.getElementById("upload-submit");

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) input.files = event.dataTransfer.files;
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!input.files.length) { input.focus(); return; }
      var data = new FormData(form);
      Array.from(data.keys()).forEach(function (key) { if (data.get(key) === "") data.delete(key); });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("X-CSRF-Token", T.csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      progress.classList.remove("hidden");
      result.innerHTML = "";
      button.disabled = true;
      bar.value = 0;
      status.textContent = "Sending " + input.files[0].name + "…";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((100 * e.loaded) / e.total);
          status.textContent = "Sending… " + bar.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        status.textContent = "Sent. Scanning and linking the records…";
        bar.removeAttribute("value"); // indeterminate while the server works
      });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        bar.value = 100;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body) {
          status.textContent = "Done.";
          var html = '<p class="form-ok">Dataset <strong>' + escapeText(body.dataset) + "</strong> (TLP:" +
            escapeText(String(body.marking).toUpperCase()) + "): " + body.read + " records read, " + body.new +
            " new documents, " + body.known + " already known, " + body.selectors + " selectors, " +
            body.errors + " unreadable.</p>";
          if (body.problems && body.problems.length) {
            html += '<ul class="small">' + body.problems.map(function (p) {
              return "<li><code>" + escapeText(p.place) + "</code> " + escapeText(p.message) + "</li>";
            }).join("") + "</ul>";
          }
          html += '<p><a class="button ghost" href="/app/search?dataset=' + encodeURIComponent(body.dataset) + '">Search this dataset →</a></p>';
          result.innerHTML = html;
        } else {
          status.textContent = "Failed.";
          result.innerHTML = '<p class="form-error">' + escapeText((body && body.message) || "The upload failed (" + xhr.status + ").") + "</p>";
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = "Failed.";
        result.innerHTML = '<p class="form-error">The connection failed.</p>';
      });
      xhr.send(data);
    });
  }

  T.ready(function () {
    chartDefaults();
    if (window.Chart) document.querySelectorAll("canvas.chart").forEach(drawChart);
    document.querySelectorAll("[data-graph-url]").forEach(drawGraph);
    bindJudgements(document);
    bindUpload();
  });
})();
