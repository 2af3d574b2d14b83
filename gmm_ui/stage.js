// The stage: one animated Plotly chart's toolbar, its keys, and the iteration on screen reported to the page.
//
// Streamlit calls this function again whenever the data from Python change (a rerun that moved the iteration, a
// refit, another option), and calls the function it returns first. What must outlive those calls (where the user
// is, what was last reported) lives in window.gmmStage, one record per chart; one keydown listener serves them all.
//
// Only public interfaces are used: Plotly's global (Plotly.animate), its graph div's events (gd.on) and layout, and
// the chart's container class that Streamlit gives an element with a key (st-key-<key>).

const QUIET_MS = 400; // the page catches up this long after the last step
const STEP = { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } };
const TEXT_ENTRY = 'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, select, [contenteditable=""], [contenteditable=true], [role=slider], [role=spinbutton], [role=combobox], [role=listbox], [role=option], [role=tab], [role=radio], [role=menuitem], [role=textbox]';
const PRESSABLE = "button, a[href], summary, input, label, [role=button], [role=switch], [role=checkbox]";

const shared = (window.gmmStage ??= { charts: {}, active: null, listening: false });

function graphOf(record) {
  return document.querySelector(`.st-key-${record.chart} .js-plotly-plot`);
}

function visible(element) {
  const box = element.getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight && box.width > 0;
}

// The stage the keys drive: the chart last touched, else the first one on screen.
function activeRecord() {
  const touched = shared.charts[shared.active];
  if (touched && touched.mounted && graphOf(touched)) return touched;
  return Object.values(shared.charts).find((r) => r.mounted && graphOf(r) && visible(graphOf(r))) ?? null;
}

function show(record) {
  const where = record.root?.querySelector(".where");
  const index = record.names.indexOf(record.local);
  if (where) where.textContent = index < 0 ? "" : record.labels[index];
  const play = record.root?.querySelector(".play");
  if (play) {
    play.textContent = record.playing ? "❚❚ Pause" : "▶ Play";
    play.setAttribute("aria-pressed", String(record.playing));
  }
  record.root?.querySelector(".first")?.toggleAttribute("disabled", index <= 0);
  record.root?.querySelector(".back")?.toggleAttribute("disabled", index <= 0);
  record.root?.querySelector(".forward")?.toggleAttribute("disabled", index >= record.names.length - 1);
  record.root?.querySelector(".last")?.toggleAttribute("disabled", index >= record.names.length - 1);
}

// The page catches up once the user has stopped (never during Play: a rerun would redraw the chart under it).
function scheduleReport(record) {
  clearTimeout(record.timer);
  if (record.playing) return;
  record.timer = setTimeout(() => report(record), QUIET_MS);
}

function report(record) {
  clearTimeout(record.timer);
  record.timer = null;
  if (record.playing || record.local === record.reported || !record.names.includes(record.local)) return;
  record.reported = record.local;
  record.setStateValue("position", { name: record.local, sequence: ++record.sequence });
}

// The user moved the chart (keys, toolbar, slider, Play): remember where, show it, report it later.
function moved(record, name) {
  if (!record.names.includes(name)) return;
  record.local = name;
  show(record);
  scheduleReport(record);
}

// The chart shows the frame the user is on (after a redraw, or when the page moved it).
function showLocal(record, gd) {
  const active = gd?.layout?.sliders?.[0]?.active;
  if (gd && window.Plotly && record.names[active] !== record.local && record.names.includes(record.local)) {
    window.Plotly.animate(gd, [record.local], STEP);
  }
}

function go(record, index) {
  const gd = graphOf(record);
  if (!gd || !window.Plotly || record.names.length === 0) return;
  index = Math.max(0, Math.min(record.names.length - 1, index));
  if (record.playing) pause(record);
  window.Plotly.animate(gd, [record.names[index]], STEP);
  moved(record, record.names[index]);
}

function play(record) {
  const gd = graphOf(record);
  if (!gd || !window.Plotly || !record.play) return;
  let index = record.names.indexOf(record.local);
  if (index >= record.names.length - 1) index = -1; // at the end, Play starts again from the beginning
  const next = record.names[index + 1];
  const sequence = record.play.sequence ?? record.names;
  const from = sequence.indexOf(next);
  record.playing = true;
  show(record);
  clearTimeout(record.timer);
  window.Plotly.animate(gd, sequence.slice(Math.max(from, 0)), record.play.options);
}

function pause(record) {
  const gd = graphOf(record);
  record.playing = false;
  if (gd && window.Plotly) window.Plotly.animate(gd, [null], STEP);
  show(record);
  scheduleReport(record);
}

function toggle(record) {
  if (record.playing) pause(record);
  else play(record);
}

const ACTIONS = {
  first: (r) => go(r, 0),
  back: (r) => go(r, r.names.indexOf(r.local) - 1),
  forward: (r) => go(r, r.names.indexOf(r.local) + 1),
  last: (r) => go(r, r.names.length - 1),
  play: toggle,
};
const KEYS = {
  ArrowLeft: "back",
  PageUp: "back",
  ArrowRight: "forward",
  PageDown: "forward",
  Home: "first",
  End: "last",
  " ": "play",
};

function onKey(event) {
  const action = KEYS[event.key];
  if (!action || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.composedPath()[0];
  if (target instanceof Element) {
    if (target.closest(TEXT_ENTRY)) return; // keys typed into an input are never taken
    if (action === "play" && target.closest(PRESSABLE)) return; // Space presses the focused control
  }
  const record = activeRecord();
  if (!record) return;
  event.preventDefault();
  ACTIONS[action](record);
}

// A click on a chart gives it the keys. Plotly keeps the focus where it was (its drag handling prevents the
// browser's default), so an input typed into before would otherwise still take them: it loses the focus.
function onPointer(event) {
  const record = Object.values(shared.charts).find(
    (r) => r.mounted && document.querySelector(`.st-key-${r.chart}`)?.contains(event.target),
  );
  if (!record) return;
  shared.active = record.chart;
  const focused = document.activeElement;
  if (focused && focused !== document.body && focused.closest(`.st-key-${record.chart}`) === null) focused.blur();
}

// Listen to each graph div once (a rerun can run this file again for the same div): Plotly tells every frame it
// shows, whoever asked for it (slider, Play, keys). Listeners find their chart's record afresh each time.
function watch(chart, gd) {
  shared.watched ??= new WeakSet();
  if (!gd || !gd.on || shared.watched.has(gd)) return;
  shared.watched.add(gd);
  const current = () => {
    const record = shared.charts[chart];
    return record && record.mounted && graphOf(record) === gd ? record : null;
  };
  gd.on("plotly_animatingframe", (event) => {
    const record = current();
    if (record && event && event.name !== undefined) moved(record, String(event.name));
  });
  const stopped = () => {
    const record = current();
    if (!record || !record.playing) return;
    record.playing = false;
    show(record);
    scheduleReport(record);
  };
  gd.on("plotly_animated", stopped);
  gd.on("plotly_animationinterrupted", stopped);
  // A rerun that changed the figure draws it again where it opens: bring back the frame the user is on.
  gd.on("plotly_afterplot", () => {
    const record = current();
    if (record && !record.playing) showLocal(record, gd);
  });
}

// Report the window's size only when it changes the page: a width across one of the layouts' thresholds (stage.py's
// WIDTHS), or a chart's height (as stage.py's chart_height computes it). On a laptop's or a tall window the first
// page therefore runs once, not twice.
function reportViewport(data, setStateValue) {
  const { innerWidth: width, innerHeight: height } = window;
  const layout = data.layout;
  const fitted = Math.round(Math.max(layout.smallest, Math.min(layout.preferred, height - layout.above)));
  const widthClass = layout.widths.filter((threshold) => width >= threshold).length;
  if (widthClass === layout.width_class && Math.abs(fitted - layout.height) < layout.step) return;
  setStateValue("viewport", { width, height });
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".stage");
  const signature = data.names.join(" ");
  const record = (shared.charts[data.chart] ??= {
    chart: data.chart,
    sequence: 0,
    reported: null,
    local: null,
    page: null,
    playing: false,
  });
  // Whose word counts: the page's when it moved the chart itself (the number box, a jump, a link, a refit, another
  // tab); not when it only confirms what was reported, or says again what it said: the user may have moved on.
  const pageMoved = data.position !== record.page && data.position !== record.reported;
  if (record.signature !== signature || record.local === null || pageMoved) {
    record.local = data.position;
    record.reported = data.position;
  }
  record.page = data.position;
  Object.assign(record, {
    names: data.names,
    labels: data.labels,
    play: data.play,
    root,
    setStateValue,
    mounted: true,
    signature,
  });
  for (const button of root.querySelectorAll("button[data-action]")) {
    button.onclick = () => {
      shared.active = record.chart;
      ACTIONS[button.dataset.action](record);
    };
  }
  const hint = root.querySelector(".hint");
  if (hint) hint.hidden = !data.show_hint;
  show(record);
  if (!record.playing) showLocal(record, graphOf(record));

  if (!shared.listening) {
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer, true);
    shared.listening = true;
  }

  // The chart may be drawn after this runs: watch for its graph div (and a new one after a remount).
  const poll = setInterval(() => {
    const gd = graphOf(record);
    if (gd && gd.on) watch(record.chart, gd);
  }, 100);
  reportViewport(data, setStateValue);
  let resized = null;
  const onResize = () => {
    clearTimeout(resized);
    resized = setTimeout(() => reportViewport(data, setStateValue), 500);
  };
  window.addEventListener("resize", onResize);

  return () => {
    clearInterval(poll);
    clearTimeout(resized);
    window.removeEventListener("resize", onResize);
    if (record.timer) report(record); // a step not yet reported is not lost when the chart goes
    record.mounted = false;
    // Run again with new data at once, or gone (another tab): then nothing plays.
    setTimeout(() => {
      if (!record.mounted) record.playing = false;
    }, 1000);
  };
}
