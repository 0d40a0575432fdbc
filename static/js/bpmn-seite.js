// Process library: draws a BPMN model with bpmn-js (viewer or modeler, loaded
// before this file) into #diagramm, and in the modeler saves the diagram as a
// new version. The page works without this file: the steps are listed as text
// and a model can be uploaded as a file.
(function () {
  'use strict';
  var el = document.getElementById('diagramm');
  var status = document.getElementById('diagramm-status');
  function say(text) {
    if (status) status.textContent = text;
  }
  if (!el || typeof window.BpmnJS !== 'function') {
    say('Das Diagramm kann in diesem Browser nicht gezeigt werden; der Ablauf steht als Liste auf der Seite.');
    return;
  }
  var EMPTY =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" ' +
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="Definitions_1" ' +
    'targetNamespace="urn:rathaus:prozesse">\n' +
    '  <bpmn:process id="Prozess_1" isExecutable="true">\n' +
    '    <bpmn:startEvent id="Start_1" name="Antrag eingegangen"/>\n' +
    '  </bpmn:process>\n' +
    '  <bpmndi:BPMNDiagram id="Diagramm_1"><bpmndi:BPMNPlane id="Ebene_1" bpmnElement="Prozess_1">\n' +
    '    <bpmndi:BPMNShape id="Start_1_di" bpmnElement="Start_1"><dc:Bounds x="180" y="160" width="36" height="36"/></bpmndi:BPMNShape>\n' +
    '  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n' +
    '</bpmn:definitions>\n';
  var editing = el.getAttribute('data-modus') === 'bearbeiten';
  var bpmn = new window.BpmnJS({ container: el });
  var src = el.getAttribute('data-bpmn');
  var load = src
    ? fetch(src, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      })
    : Promise.resolve(EMPTY);
  load
    .then(function (xml) {
      return bpmn.importXML(xml);
    })
    .then(function () {
      bpmn.get('canvas').zoom('fit-viewport');
      el.setAttribute('data-geladen', 'ja');
      say(editing ? 'Modell geladen. Änderungen speichern Sie unten als neue Version.' : 'Diagramm geladen.');
    })
    .catch(function (e) {
      el.setAttribute('data-geladen', 'fehler');
      say('Das Diagramm konnte nicht gezeigt werden: ' + e.message);
    });

  var form = document.getElementById('modell-speichern');
  if (!editing || !form) return;
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    say('Wird gespeichert …');
    bpmn
      .saveXML({ format: true })
      .then(function (res) {
        var fd = new FormData();
        fd.append('datei', new Blob([res.xml], { type: 'application/xml' }), 'modell.bpmn');
        fd.append('kommentar', document.getElementById('m-kommentar').value);
        fd.append('modeler', '1');
        return fetch(el.getAttribute('data-speichern'), {
          method: 'POST',
          body: fd,
          credentials: 'same-origin',
          headers: { 'X-CSRF-Token': el.getAttribute('data-csrf') },
        });
      })
      .then(function (r) {
        return r.json().then(function (j) {
          return { ok: r.ok, body: j };
        });
      })
      .then(function (x) {
        if (!x.ok) throw new Error(x.body.error || 'unbekannter Fehler');
        say('Gespeichert als Version ' + x.body.version + '.');
        window.location.href = x.body.href;
      })
      .catch(function (e) {
        say('Nicht gespeichert: ' + e.message);
      });
  });
})();
