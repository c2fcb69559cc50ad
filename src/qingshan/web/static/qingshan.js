// Qingshan pages: progress on every action that waits for the server, and tables that sort,
// page and export. Served by the platform itself (/static/qingshan.js); no other script, no CDN.
// Pages work without it: forms still submit, tables still show every row.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var T = zh
    ? { working: "处理中…", prev: "上一页", next: "下一页", csv: "导出 CSV", of: "共",
        rows: "行", sort: "排序" }
    : { working: "Working…", prev: "Previous", next: "Next", csv: "Export CSV", of: "of",
        rows: "rows", sort: "sort" };

  // ---------------------------------------------------------------- progress
  // A form that waits for the server says so next to its button, and is not sent twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-no-progress")) return;
    if (form.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
    form.setAttribute("aria-busy", "true");
    var status = document.createElement("span");
    status.className = "progress";
    status.setAttribute("role", "status");
    var bar = document.createElement("progress");  // indeterminate: no value
    bar.setAttribute("aria-label", T.working);
    status.appendChild(bar);
    status.appendChild(document.createTextNode(" " + T.working));
    var button = event.submitter || form.querySelector("[type=submit], button");
    if (button && button.parentNode) {
      button.setAttribute("aria-disabled", "true");
      button.parentNode.insertBefore(status, button.nextSibling);
    } else {
      form.appendChild(status);
    }
  });
  // back-forward cache: a page shown again is not busy any more
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll(".progress").forEach(function (s) { s.remove(); });
      form.querySelectorAll("[aria-disabled=true]").forEach(function (b) {
        b.removeAttribute("aria-disabled");
      });
    });
  });

  // ---------------------------------------------------------------- tables
  function cellValue(cell) {
    var text = (cell.getAttribute("data-sort") || cell.textContent || "").trim();
    var number = text.replace(/[,\s]|tCO2e|CNY|¥/g, "");
    if (/^-?\d+(\.\d+)?$/.test(number)) return { n: parseFloat(number), s: text };
    return { n: null, s: text };
  }

  function compare(a, b) {
    if (a.n !== null && b.n !== null) return a.n - b.n;
    return a.s.localeCompare(b.s, zh ? "zh-CN" : "en");
  }

  // A cell that a spreadsheet would read as a formula (= + - @, tab, carriage return) gets a
  // leading apostrophe, as the server's CSV exports do; numbers stay numbers.
  function spreadsheetSafe(text) {
    if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) return "'" + text;
    return text;
  }

  function csvField(text) {
    text = spreadsheetSafe(text.replace(/\s+/g, " ").trim());
    return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function enhance(table, index) {
    var body = table.tBodies[0];
    var head = table.tHead;
    if (!body || !head) return;
    var size = parseInt(table.getAttribute("data-page-size") || "20", 10);
    var page = 0;
    var bar = document.createElement("div");
    bar.className = "table-tools";
    var info = document.createElement("span");
    var prev = document.createElement("button");
    var next = document.createElement("button");
    var csv = document.createElement("button");
    prev.type = next.type = csv.type = "button";
    prev.textContent = "‹ " + T.prev;
    next.textContent = T.next + " ›";
    csv.textContent = T.csv;
    prev.className = "page-prev"; next.className = "page-next"; csv.className = "export-csv";
    info.className = "page-info";
    info.setAttribute("aria-live", "polite");

    function rows() {
      var all = Array.prototype.slice.call(body.rows);
      // "no data yet": one cell across the table is not a row of data
      if (all.length === 1 && all[0].cells.length === 1 && all[0].cells[0].colSpan > 1) return [];
      return all;
    }

    function show() {
      var all = rows();
      var pages = Math.max(1, Math.ceil(all.length / size));
      page = Math.min(page, pages - 1);
      all.forEach(function (row, i) {
        row.hidden = Math.floor(i / size) !== page;
      });
      var first = all.length ? page * size + 1 : 0;
      var last = Math.min(all.length, (page + 1) * size);
      info.textContent = first + "–" + last + " " + T.of + " " + all.length + " " + T.rows;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
      prev.hidden = next.hidden = pages === 1;
      csv.disabled = all.length === 0;
    }

    prev.addEventListener("click", function () { page -= 1; show(); });
    next.addEventListener("click", function () { page += 1; show(); });
    csv.addEventListener("click", function () {
      var lines = Array.prototype.slice.call(table.rows).map(function (row) {
        return Array.prototype.slice.call(row.cells).map(function (cell) {
          return csvField(cell.textContent || "");
        }).join(",");
      });
      var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"],
                          { type: "text/csv;charset=utf-8" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = (table.getAttribute("data-name") || "table-" + (index + 1)) + ".csv";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    });

    var headers = head.rows[head.rows.length - 1].cells;
    Array.prototype.forEach.call(headers, function (th, col) {
      if (!th.textContent.trim() || th.querySelector("a, button")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      button.title = T.sort;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        if (!rows().length) return;
        var sorted = rows().map(function (row, i) {
          return { row: row, key: cellValue(row.cells[col] || row.cells[0]), i: i };
        }).sort(function (a, b) {
          var c = compare(a.key, b.key);
          return (ascending ? c : -c) || a.i - b.i;
        });
        sorted.forEach(function (item) { body.appendChild(item.row); });
        page = 0;
        show();
      });
    });

    bar.appendChild(info);
    bar.appendChild(prev);
    bar.appendChild(next);
    bar.appendChild(csv);
    table.parentNode.insertBefore(bar, table.nextSibling);
    show();
  }

  document.querySelectorAll("table.data").forEach(enhance);
})();
