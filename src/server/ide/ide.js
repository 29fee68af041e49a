// Spark Sword's additions to the GraphiQL page: the upload bar with progress and a result panel, a ready query for
// an uploaded application, and a Visual tab that draws an application's stage graph, stage timeline and SQL plan
// as SVG from the GraphQL API. Plain browser JavaScript with no library: the page works offline.
/* global YogaGraphiQL */
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('ide-config').textContent);
  var endpoint = config.endpoint;
  var SVG = 'http://www.w3.org/2000/svg';

  // ---- The API token of the Headers tab ------------------------------------------------------------------------
  // With AUTH_MODE=token the Headers tab holds {"Authorization": "Bearer <token>"}. GraphiQL sends it with each
  // query but keeps it to itself, so the page notes the last Authorization a request carried and sends it with
  // its own requests (uploads, the Visual tab).
  var authorization = null;
  var originalFetch = window.fetch.bind(window);
  window.fetch = function (resource, init) {
    var headers = init && init.headers;
    var value = headers && (typeof headers.get === 'function' ? headers.get('authorization')
      : Object.keys(headers).filter(function (name) { return name.toLowerCase() === 'authorization'; })
        .map(function (name) { return headers[name]; })[0]);
    if (value) authorization = value;
    return originalFetch(resource, init);
  };
  function withToken(headers) {
    if (authorization) headers.authorization = authorization;
    return headers;
  }

  // ---- GraphQL over fetch -------------------------------------------------------------------------------------
  function graphql(query, variables) {
    return fetch(endpoint, {
      method: 'POST',
      headers: withToken({ 'content-type': 'application/json', 'apollo-require-preflight': 'true' }),
      body: JSON.stringify({ query: query, variables: variables || {} }),
    }).then(function (response) { return response.json(); }).then(function (result) {
      if (result.errors && result.errors.length) throw new Error(result.errors[0].message);
      return result.data;
    });
  }

  // ---- Formatting ---------------------------------------------------------------------------------------------
  function bytes(value) {
    var n = Number(value || 0);
    var units = ['B', 'KB', 'MB', 'GB', 'TB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(Math.round(n)) : n.toFixed(n >= 10 ? 0 : 1)) + ' ' + units[i];
  }
  function duration(ms) {
    var n = Number(ms || 0);
    if (n < 1000) return Math.round(n) + ' ms';
    if (n < 120000) return (n / 1000).toFixed(1) + ' s';
    if (n < 7200000) return (n / 60000).toFixed(1) + ' min';
    return (n / 3600000).toFixed(1) + ' h';
  }
  function metricText(metric) {
    if (metric.value === null || metric.value === undefined) return null;
    var v = Number(metric.value);
    if (metric.metricType === 'size') return bytes(v);
    if (metric.metricType === 'timing') return duration(v);
    if (metric.metricType === 'nsTiming') return duration(v / 1e6);
    return v.toLocaleString('en-US');
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgEl(parent, tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  function clip(text, max) {
    text = String(text || '');
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  // ---- GraphiQL, and putting a ready query into its editor -----------------------------------------------------
  function renderGraphiql(query) {
    var old = document.getElementById('root');
    var fresh = el('div', { id: 'root' });
    old.replaceWith(fresh);
    var options = Object.assign({}, config.graphiql);
    if (query) options.query = query;
    YogaGraphiQL.renderYogaGraphiQL(fresh, options);
  }

  function readyQuery(app) {
    return '# Ready for ' + app.id + (app.name ? ' ("' + app.name + '")' : '') + ', just uploaded. Ctrl-Enter runs it.\n' +
      'query UploadedApplication {\n' +
      '  application(id: ' + JSON.stringify(app.id) + ') {\n' +
      '    id name sparkVersion duration completed\n' +
      '    stats { totalJobs totalStages totalTasks failedTasks }\n' +
      '    insights(first: 5) { type severity confidence impact title suggestion }\n' +
      '    stages { stageId attemptId name status numTasks duration executorRunTime shuffleReadBytes shuffleWriteBytes }\n' +
      '    sqlExecutions { id description duration stageIds }\n' +
      '  }\n' +
      '}\n';
  }

  // ---- Tabs ---------------------------------------------------------------------------------------------------
  var visual = document.getElementById('visual');
  var panelWasOpen = false;
  var tabs = { query: document.getElementById('tab-query'), visual: document.getElementById('tab-visual') };
  function showTab(name) {
    document.getElementById('root').hidden = name !== 'query';
    visual.hidden = name !== 'visual';
    Object.keys(tabs).forEach(function (key) { tabs[key].setAttribute('aria-selected', String(key === name)); });
    // The drawings need the room; the upload result stays one click away on the Query tab.
    if (name === 'visual') { panelWasOpen = !panel.hidden; panel.hidden = true; loadApplications(); }
    else if (panelWasOpen) { panel.hidden = false; panelWasOpen = false; }
  }
  tabs.query.addEventListener('click', function () { showTab('query'); });
  tabs.visual.addEventListener('click', function () { showTab('visual'); });

  // ---- Upload bar, progress and the result panel ---------------------------------------------------------------
  var input = document.getElementById('upload-file');
  var status = document.getElementById('upload-status');
  var bar = document.getElementById('upload-progress');
  var panel = document.getElementById('result-panel');
  var panelBody = document.getElementById('result-body');
  document.getElementById('result-close').addEventListener('click', function () { panel.hidden = true; });
  var lastUploadedApp = null;

  function newProgressId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var words = new Uint32Array(4);
    crypto.getRandomValues(words);
    return Array.prototype.map.call(words, function (w) { return w.toString(16).padStart(8, '0'); }).join('');
  }

  var PHASE_WORDS = {
    RECEIVING: 'Receiving', DECODING: 'Decoding', READING: 'Reading', STORING: 'Storing', ANALYZING: 'Analyzing',
    DONE: 'Done', FAILED: 'Failed',
  };
  function watch(progressId, file) {
    var stopped = false;
    function poll() {
      if (stopped) return;
      graphql('query IdeUploadProgress($id: String!) { ingestProgress(id: $id) { phase bytesReceived sourceName events elapsedMs } }', { id: progressId })
        .then(function (data) {
          var p = data.ingestProgress;
          if (stopped || !p) return;
          var received = Number(p.bytesReceived);
          if (p.phase === 'RECEIVING') {
            bar.max = file.size || 1;
            bar.value = Math.min(received, file.size);
            status.textContent = 'Receiving ' + file.name + ': ' + bytes(received) + ' of ' + bytes(file.size) + ' (' + duration(p.elapsedMs) + ')';
          } else {
            bar.removeAttribute('value');
            status.textContent = PHASE_WORDS[p.phase] + ' ' + (p.sourceName || file.name) + '…' +
              (p.events !== null ? ' ' + p.events.toLocaleString('en-US') + ' events' : '') + ' (' + duration(p.elapsedMs) + ')';
          }
        })
        .catch(function () { /* a missed poll is redrawn by the next */ })
        .finally(function () { if (!stopped) setTimeout(poll, 300); });
    }
    setTimeout(poll, 100);
    return function () { stopped = true; };
  }

  function section(title) {
    var box = el('section', { class: 'result-section' });
    box.appendChild(el('h3', {}, title));
    panelBody.appendChild(box);
    return box;
  }

  function showEventLogResult(stored) {
    panelBody.textContent = '';
    var apps = section('Stored');
    stored.applications.forEach(function (app) {
      var item = el('div', { class: 'result-app' });
      item.appendChild(el('strong', {}, app.id));
      item.appendChild(document.createTextNode(
        (app.name ? ' "' + app.name + '"' : '') + ' · Spark ' + (app.sparkVersion || '?') + ' · ' +
        (app.completed ? 'completed' : 'incomplete') + ' · ' + duration(app.duration) + ' · ' +
        app.stats.totalJobs + ' jobs, ' + app.stats.totalStages + ' stages, ' + app.stats.totalTasks + ' tasks (' +
        app.stats.failedTasks + ' failed)'));
      apps.appendChild(item);
    });
    apps.appendChild(el('p', {}, stored.eventsRead.toLocaleString('en-US') + ' events read, ' + stored.eventsSkipped + ' skipped' +
      (stored.skippedEventTypes.length ? ' (' + stored.skippedEventTypes.map(function (s) { return s.eventType + ' ×' + s.count; }).join(', ') + ')' : '')));
    var warnings = section('Warnings (' + stored.warnings.length + ')');
    if (!stored.warnings.length) warnings.appendChild(el('p', {}, 'None: every line was read.'));
    var list = el('ul', { id: 'result-warnings' });
    stored.warnings.forEach(function (w) { list.appendChild(el('li', {}, (w.line !== null ? 'line ' + w.line + ': ' : '') + w.message)); });
    warnings.appendChild(list);
    stored.applications.forEach(function (app) {
      var found = section('Top insights of ' + app.id + ' (' + app.insights.length + ' shown, most impactful first)');
      if (!app.insights.length) found.appendChild(el('p', {}, 'No insight fired.'));
      var ol = el('ol', { class: 'result-insights' });
      app.insights.forEach(function (i) {
        var li = el('li');
        li.appendChild(el('strong', {}, i.title));
        li.appendChild(el('div', { class: 'meta' }, i.type + ' · ' + i.severity + ' severity · ' + i.confidence + ' confidence · accounts for ' + (i.impact * 100).toFixed(1) + '%'));
        li.appendChild(el('div', {}, 'Measured: ' + i.description));
        li.appendChild(el('div', {}, 'Try: ' + i.suggestion));
        li.appendChild(el('div', {}, 'Trade-off: ' + i.tradeoffs));
        ol.appendChild(li);
      });
      found.appendChild(ol);
    });
    panel.hidden = false;
  }

  function showCodeReview(review) {
    panelBody.textContent = '';
    var head = section('Reviewed ' + review.fileName + ' (' + review.format + ')');
    head.appendChild(el('p', {}, review.insights.length + ' finding' + (review.insights.length === 1 ? '' : 's') + ', ' + review.warnings.length + ' warning' + (review.warnings.length === 1 ? '' : 's')));
    var findings = section('Findings');
    var ol = el('ol', { id: 'result-findings' });
    review.insights.forEach(function (i) {
      var li = el('li');
      li.appendChild(el('strong', {}, 'cell ' + i.location.cellIndex + ':' + i.location.line + ':' + i.location.column + ' ' + i.type + ' (' + i.severity + ')'));
      li.appendChild(el('div', {}, i.title));
      li.appendChild(el('code', {}, i.location.excerpt));
      li.appendChild(el('div', {}, 'Try: ' + i.suggestion));
      ol.appendChild(li);
    });
    findings.appendChild(ol);
    var warnings = section('Warnings');
    var ul = el('ul', { id: 'result-warnings' });
    review.warnings.forEach(function (w) { ul.appendChild(el('li', {}, 'cell ' + w.location.cellIndex + ':' + w.location.line + ': ' + w.message)); });
    warnings.appendChild(ul);
    panel.hidden = false;
  }

  var APP_FIELDS = 'id name sparkVersion completed duration stats { totalJobs totalStages totalTasks failedTasks } ' +
    'insights(first: 5) { type title severity confidence impact description suggestion tradeoffs }';
  var eventLog = {
    query: 'mutation IdeUpload($file: Upload!, $progressId: String) { uploadEventLog(file: $file, progressId: $progressId) { ' +
      'applications { ' + APP_FIELDS + ' } warnings { line message } eventsRead eventsSkipped skippedEventTypes { eventType count } } }',
    done: function (data) {
      var stored = data.uploadEventLog;
      status.textContent = 'Stored ' + stored.applications.map(function (a) { return a.id; }).join(', ') +
        ' (' + stored.eventsRead + ' events, ' + stored.warnings.length + ' warnings)';
      showEventLogResult(stored);
      lastUploadedApp = stored.applications[0].id;
      renderGraphiql(readyQuery(stored.applications[0]));
      showTab('query');
    },
  };
  var codeReview = {
    query: 'mutation IdeReview($file: Upload!) { analyzeNotebook(file: $file) { fileName format ' +
      'insights { type title severity suggestion location { cellIndex line column excerpt } } ' +
      'warnings { message location { cellIndex line column } } } }',
    done: function (data) {
      var review = data.analyzeNotebook;
      var findings = review.insights.map(function (i) {
        return i.type + ' at cell ' + i.location.cellIndex + ' line ' + i.location.line + ':' + i.location.column;
      });
      var text = 'Reviewed ' + review.fileName + ' (' + review.format + '): ' +
        (findings.length ? findings.length + ' finding' + (findings.length === 1 ? '' : 's') + ': ' + findings.join('; ') : 'no findings');
      if (review.warnings.length) text += '; ' + review.warnings.length + ' parse warning' + (review.warnings.length === 1 ? '' : 's');
      status.textContent = text;
      showCodeReview(review);
    },
  };

  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file) return;
    var kind = /\.(ipynb|py|scala|sc|sql)$/i.test(file.name) ? codeReview : eventLog;
    var progressId = kind === eventLog ? newProgressId() : null;
    var variables = kind === eventLog ? { file: null, progressId: progressId } : { file: null };
    status.textContent = 'Uploading ' + file.name + '…';
    bar.hidden = false;
    bar.removeAttribute('value');
    var stopWatching = progressId ? watch(progressId, file) : function () {};
    var form = new FormData();
    form.append('operations', JSON.stringify({ query: kind.query, variables: variables }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', file, file.name);
    fetch(endpoint, { method: 'POST', body: form, headers: withToken({ 'apollo-require-preflight': 'true' }) })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        stopWatching();
        if (result.errors && result.errors.length) {
          status.textContent = 'Not accepted: ' + result.errors[0].message;
          return;
        }
        kind.done(result.data);
      })
      .catch(function (error) { stopWatching(); status.textContent = 'Upload failed: ' + error; })
      .finally(function () { input.value = ''; bar.hidden = true; });
  });

  // ---- Visual tab ---------------------------------------------------------------------------------------------
  var appSelect = document.getElementById('visual-app');
  var visualStatus = document.getElementById('visual-status');
  appSelect.addEventListener('change', function () { drawApplication(appSelect.value); });

  function loadApplications() {
    return graphql('query IdeVisualApplications { applications(first: 100) { nodes { id name } } }').then(function (data) {
      // A fresh upload is shown first, once; otherwise the application the user picked stays picked.
      var current = lastUploadedApp || appSelect.value;
      lastUploadedApp = null;
      appSelect.textContent = '';
      data.applications.nodes.forEach(function (app) {
        appSelect.appendChild(el('option', { value: app.id }, app.id + (app.name ? ' — ' + app.name : '')));
      });
      if (!data.applications.nodes.length) { visualStatus.textContent = 'No application stored yet: upload an event log.'; return; }
      if (current && data.applications.nodes.some(function (a) { return a.id === current; })) appSelect.value = current;
      return drawApplication(appSelect.value);
    }).catch(function (error) { visualStatus.textContent = 'Could not list applications: ' + error.message; });
  }

  var VISUAL_QUERY = 'query IdeVisual($id: ID!) { application(id: $id) { id name startTime endTime ' +
    'dag { nodes { stageId attemptId name status numTasks durationMs } edges { from to } } ' +
    'stages { stageId attemptId name status numTasks submissionTime completionTime executorRunTime shuffleReadBytes shuffleWriteBytes jobIds } ' +
    'executors { id totalCores addTime removeTime } ' +
    'sqlExecutions { id description duration plan { versions nodes { id name metrics { name metricType value } } edges { from to } } } } }';

  var drawToken = 0;
  function drawApplication(id) {
    var token = ++drawToken;
    visualStatus.textContent = 'Loading ' + id + '…';
    return graphql(VISUAL_QUERY, { id: id }).then(function (data) {
      if (token !== drawToken) return; // another application was picked meanwhile
      var app = data.application;
      drawStageGraph(document.getElementById('stage-graph'), app);
      drawTimeline(document.getElementById('stage-timeline'), app);
      drawSqlPlans(app);
      var skipped = app.dag.nodes.filter(function (n) { return n.status === 'SKIPPED'; }).length;
      visualStatus.textContent = app.id + (app.name ? ' "' + app.name + '"' : '') + ': ' + app.dag.nodes.length + ' stages' +
        (skipped ? ' (' + skipped + ' skipped, not drawn)' : '') + ', ' +
        app.executors.length + ' executors, ' + app.sqlExecutions.length + ' SQL queries';
      visual.setAttribute('data-drawn', app.id);
    }).catch(function (error) { visualStatus.textContent = 'Could not draw ' + id + ': ' + error.message; });
  }

  function clear(svg) { while (svg.firstChild) svg.removeChild(svg.firstChild); }
  function arrowMarker(svg) {
    var defs = svgEl(svg, 'defs');
    var marker = svgEl(defs, 'marker', { id: svg.id + '-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    svgEl(marker, 'path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#555' });
    return 'url(#' + svg.id + '-arrow)';
  }
  function emptyNote(svg, text) {
    svg.setAttribute('viewBox', '0 0 600 40');
    svg.setAttribute('height', 40);
    svgEl(svg, 'text', { x: 8, y: 24, class: 'note' }, text);
  }

  /** Stages as boxes in columns by depth (parents left), shaded by task time; shuffle edges labelled with bytes. */
  function drawStageGraph(svg, app) {
    clear(svg);
    // Skipped stages (their output already existed) never ran: left out, as they would crowd the stages that did.
    var nodes = app.dag.nodes.filter(function (n) { return n.status !== 'SKIPPED'; });
    var skipped = app.dag.nodes.length - nodes.length;
    svg.setAttribute('data-skipped', skipped);
    if (!nodes.length) return emptyNote(svg, 'No stage ran in this application.');
    var drawn = {};
    nodes.forEach(function (n) { drawn[n.stageId] = true; });
    var edges = app.dag.edges.filter(function (e) { return drawn[e.from] && drawn[e.to]; });
    var taskTime = {}; var shuffleWrite = {}; var jobsOf = {};
    app.stages.forEach(function (s) {
      jobsOf[s.stageId] = s.jobIds;
      taskTime[s.stageId] = (taskTime[s.stageId] || 0) + Number(s.executorRunTime);
      shuffleWrite[s.stageId] = (shuffleWrite[s.stageId] || 0) + Number(s.shuffleWriteBytes);
    });
    var maxTime = Math.max.apply(null, nodes.map(function (n) { return taskTime[n.stageId] || 0; }).concat([1]));
    var parents = {};
    edges.forEach(function (e) { (parents[e.to] = parents[e.to] || []).push(e.from); });
    var depth = {};
    function depthOf(id, seen) {
      if (depth[id] !== undefined) return depth[id];
      if (seen[id]) return 0;
      seen[id] = true;
      var d = 0;
      (parents[id] || []).forEach(function (p) { d = Math.max(d, depthOf(p, seen) + 1); });
      return (depth[id] = d);
    }
    nodes.forEach(function (n) { depthOf(n.stageId, {}); });
    var columns = [];
    nodes.slice().sort(function (a, b) { return a.stageId - b.stageId; }).forEach(function (n) {
      (columns[depth[n.stageId]] = columns[depth[n.stageId]] || []).push(n);
    });
    // A depth with many stages (e.g. many one-stage jobs) wraps into several columns of at most 8, side by side.
    var wrapped = [];
    columns.forEach(function (column) {
      column = column || [];
      for (var i = 0; i < column.length; i += 8) wrapped.push(column.slice(i, i + 8));
    });
    columns = wrapped;
    var W = 250, H = 66, GX = 90, GY = 24, PAD = 12;
    var pos = {};
    columns.forEach(function (column, c) {
      (column || []).forEach(function (n, r) { pos[n.stageId] = { x: PAD + c * (W + GX), y: PAD + r * (H + GY) }; });
    });
    var width = PAD * 2 + columns.length * (W + GX) - GX;
    var height = PAD * 2 + Math.max.apply(null, columns.map(function (c) { return (c || []).length; })) * (H + GY) - GY;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('height', height);
    var arrow = arrowMarker(svg);
    edges.forEach(function (e) {
      var from = pos[e.from], to = pos[e.to];
      var x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2;
      svgEl(svg, 'path', { d: 'M' + x1 + ',' + y1 + ' C' + (x1 + GX / 2) + ',' + y1 + ' ' + (x2 - GX / 2) + ',' + y2 + ' ' + x2 + ',' + y2, class: 'edge', 'marker-end': arrow });
      if (shuffleWrite[e.from] > 0) svgEl(svg, 'text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, class: 'edge-label', 'text-anchor': 'middle' }, bytes(shuffleWrite[e.from]));
    });
    nodes.forEach(function (n) {
      var p = pos[n.stageId];
      var share = (taskTime[n.stageId] || 0) / maxTime;
      var g = svgEl(svg, 'g', { class: 'stage stage-' + n.status.toLowerCase(), 'data-stage': n.stageId });
      svgEl(g, 'rect', { x: p.x, y: p.y, width: W, height: H, rx: 6, fill: n.status === 'SKIPPED' ? '#eee' : 'hsl(14, 85%, ' + Math.round(94 - 44 * share) + '%)', stroke: n.status === 'FAILED' ? '#b00' : '#555' });
      svgEl(g, 'text', { x: p.x + 8, y: p.y + 18, class: 'title' }, 'Stage ' + n.stageId + (n.attemptId ? ' (attempt ' + n.attemptId + ')' : '') + ' · ' + n.numTasks + ' tasks' +
        (jobsOf[n.stageId] && jobsOf[n.stageId].length ? ' · job ' + jobsOf[n.stageId].join(', ') : ''));
      svgEl(g, 'text', { x: p.x + 8, y: p.y + 36 }, clip(n.name, 36));
      svgEl(g, 'text', { x: p.x + 8, y: p.y + 54, class: 'meta' }, n.status.toLowerCase() + ' · task time ' + duration(taskTime[n.stageId] || 0) + (n.durationMs !== null ? ' · wall ' + duration(n.durationMs) : ''));
    });
  }

  /** Executors' lives and stage attempts as bars on one time axis. */
  function drawTimeline(svg, app) {
    clear(svg);
    var t = function (value) { return value ? Date.parse(value) : null; };
    var start = t(app.startTime), end = t(app.endTime);
    var spans = app.stages.filter(function (s) { return s.submissionTime; });
    spans.forEach(function (s) { start = Math.min(start || t(s.submissionTime), t(s.submissionTime)); end = Math.max(end || 0, t(s.completionTime) || t(s.submissionTime)); });
    app.executors.forEach(function (e) { if (e.addTime) start = Math.min(start || t(e.addTime), t(e.addTime)); });
    if (!start || !end || end <= start) return emptyNote(svg, 'No timed stage or executor to draw.');
    var LABEL = 150, WIDTH = 1000, ROW = 20, PAD = 10;
    var rows = app.executors.length + spans.length;
    var height = PAD * 2 + 30 + (rows + 1) * ROW;
    svg.setAttribute('viewBox', '0 0 ' + (LABEL + WIDTH + PAD * 2) + ' ' + height);
    svg.setAttribute('height', height);
    var x = function (ms) { return LABEL + PAD + ((ms - start) / (end - start)) * WIDTH; };
    for (var i = 0; i <= 5; i++) {
      var at = start + ((end - start) * i) / 5;
      svgEl(svg, 'line', { x1: x(at), x2: x(at), y1: PAD + 14, y2: height - PAD, class: 'grid' });
      svgEl(svg, 'text', { x: x(at), y: PAD + 10, 'text-anchor': 'middle', class: 'meta' }, duration(at - start));
    }
    var y = PAD + 24;
    svgEl(svg, 'text', { x: PAD, y: y + 12, class: 'title' }, 'Executors');
    app.executors.forEach(function (e) {
      y += ROW;
      var from = t(e.addTime) || start, to = t(e.removeTime) || end;
      svgEl(svg, 'text', { x: PAD, y: y + 13 }, (e.id === 'driver' ? 'driver' : 'executor ' + e.id) + (e.totalCores ? ' (' + e.totalCores + ' cores)' : ''));
      svgEl(svg, 'rect', { x: x(from), y: y + 3, width: Math.max(2, x(to) - x(from)), height: ROW - 6, class: e.removeTime ? 'executor removed' : 'executor' });
    });
    y += ROW;
    svgEl(svg, 'text', { x: PAD, y: y + 12, class: 'title' }, 'Stages');
    spans.sort(function (a, b) { return t(a.submissionTime) - t(b.submissionTime); }).forEach(function (s) {
      y += ROW;
      var from = t(s.submissionTime), to = t(s.completionTime) || end;
      svgEl(svg, 'text', { x: PAD, y: y + 13 }, 'stage ' + s.stageId + '.' + s.attemptId + ' ' + clip(s.name, 14));
      var bar = svgEl(svg, 'rect', { x: x(from), y: y + 3, width: Math.max(2, x(to) - x(from)), height: ROW - 6, class: 'stage-bar ' + s.status.toLowerCase() });
      svgEl(bar, 'title', {}, 'stage ' + s.stageId + '.' + s.attemptId + ': ' + duration(to - from) + ', ' + s.numTasks + ' tasks');
    });
  }

  /** Each SQL query's physical plan: operators top-down from the root, data flowing up, with their metrics. */
  function drawSqlPlans(app) {
    var holder = document.getElementById('sql-plans');
    holder.textContent = '';
    var withPlans = app.sqlExecutions.filter(function (q) { return q.plan && q.plan.nodes.length; });
    if (!withPlans.length) {
      var none = document.createElementNS(SVG, 'svg');
      none.id = 'sql-plan-none';
      holder.appendChild(none);
      return emptyNote(none, 'No SQL query in this application.');
    }
    withPlans.forEach(function (q) {
      holder.appendChild(el('h4', {}, 'SQL query ' + q.id + ': ' + clip(q.description, 120) + ' (' + duration(q.duration) + (q.plan.versions > 1 ? ', final adaptive plan' : '') + ')'));
      var svg = document.createElementNS(SVG, 'svg');
      svg.id = 'sql-plan-' + q.id;
      svg.setAttribute('class', 'sql-plan');
      holder.appendChild(svg);
      drawPlan(svg, q.plan);
    });
  }

  function drawPlan(svg, plan) {
    var children = {}; var hasParent = {};
    plan.edges.forEach(function (e) { (children[e.to] = children[e.to] || []).push(e.from); hasParent[e.from] = true; });
    var levels = []; var placed = {};
    var roots = plan.nodes.filter(function (n) { return !hasParent[n.id]; }).map(function (n) { return n.id; });
    var frontier = roots.length ? roots : [plan.nodes[0].id];
    var depth = 0;
    while (frontier.length) {
      var next = [];
      levels[depth] = [];
      frontier.forEach(function (id) {
        if (placed[id]) return;
        placed[id] = true;
        levels[depth].push(id);
        (children[id] || []).forEach(function (c) { next.push(c); });
      });
      frontier = next;
      depth++;
    }
    plan.nodes.forEach(function (n) { if (!placed[n.id]) { levels.push([n.id]); placed[n.id] = true; } });
    var byId = {};
    plan.nodes.forEach(function (n) { byId[n.id] = n; });
    var W = 230, H = 70, GX = 24, GY = 44, PAD = 12;
    var widest = Math.max.apply(null, levels.map(function (l) { return l.length; }));
    var width = PAD * 2 + widest * (W + GX) - GX;
    var height = PAD * 2 + levels.length * (H + GY) - GY;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('height', height);
    var pos = {};
    levels.forEach(function (level, d) {
      var offset = (width - (level.length * (W + GX) - GX)) / 2;
      level.forEach(function (id, i) { pos[id] = { x: offset + i * (W + GX), y: PAD + d * (H + GY) }; });
    });
    var arrow = arrowMarker(svg);
    plan.edges.forEach(function (e) {
      var from = pos[e.from], to = pos[e.to];
      if (!from || !to) return;
      svgEl(svg, 'line', { x1: from.x + W / 2, y1: from.y, x2: to.x + W / 2, y2: to.y + H, class: 'edge', 'marker-end': arrow });
    });
    Object.keys(pos).forEach(function (id) {
      var n = byId[id]; var p = pos[id];
      var g = svgEl(svg, 'g', { class: 'operator', 'data-operator': n.name });
      svgEl(g, 'rect', { x: p.x, y: p.y, width: W, height: H, rx: 6, class: /Exchange/.test(n.name) ? 'exchange' : 'op' });
      svgEl(g, 'text', { x: p.x + 8, y: p.y + 17, class: 'title' }, clip(n.name, 32));
      var shown = n.metrics.map(function (m) { var v = metricText(m); return v === null || Number(m.value) === 0 ? null : m.name + ': ' + v; }).filter(Boolean).slice(0, 3);
      shown.forEach(function (line, i) { svgEl(g, 'text', { x: p.x + 8, y: p.y + 34 + i * 14, class: 'meta' }, clip(line, 38)); });
      svgEl(g, 'title', {}, n.name + '\n' + n.metrics.map(function (m) { return m.name + ': ' + (metricText(m) || '–'); }).join('\n'));
    });
  }

  renderGraphiql(null);
})();
