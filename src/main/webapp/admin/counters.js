// The dashboard's view of the instances: their counters since each started (GET /admin/instances), turned into
// rates and shares between samples; the rates drawn with uPlot.

const HISTORY_SECONDS = 300; // the rate chart's span
const SHARE_SECONDS = 60; // the request shares' window
const CHART_HEIGHT = 220;

const $ = (id) => document.getElementById(id);

/** Samples of one sale's watch: the counters seen, the rates drawn. */
export function newHistory() {
    return {
        samples: [], // {t (s), requests: {name: n}, sales: {name: n}}, oldest first
        rates: { t: [], sales: [], requests: [] },
    };
}

/** One chart for the page's life: a new watch gives it new data. */
let chart = null;

/** Shows every instance of `data` (GET /admin/instances) with its figures for `eventId`, and the rates. */
export function showInstances(history, data, eventId) {
    const t = data.now / 1000;
    const sample = { t, requests: {}, sales: {} };
    data.instances.forEach((i) => {
        sample.requests[i.name] = i.requests || 0;
        sample.sales[i.name] = (i.purchases && i.purchases.reserved) || 0;
    });
    const previous = history.samples[history.samples.length - 1];
    history.samples.push(sample);
    while (history.samples.length > 2 && history.samples[0].t < t - SHARE_SECONDS) {
        history.samples.shift();
    }
    if (previous && t > previous.t) {
        const dt = t - previous.t;
        const rates = history.rates;
        rates.t.push(t);
        rates.sales.push(sum(delta(previous.sales, sample.sales)) / dt);
        rates.requests.push(sum(delta(previous.requests, sample.requests)) / dt);
        while (rates.t.length && rates.t[0] < t - HISTORY_SECONDS) {
            ['t', 'sales', 'requests'].forEach((key) => rates[key].shift());
        }
        $('sales-rate').textContent = last(rates.sales).toFixed(1);
        $('requests-rate').textContent = last(rates.requests).toFixed(1);
        drawRates(history);
    }
    const first = history.samples[0];
    const window = first !== sample ? delta(first.requests, sample.requests) : {};
    const recent = previous ? delta(previous.requests, sample.requests) : {};
    const recentSeconds = previous ? Math.max(1e-3, sample.t - previous.t) : 1;
    const totalRequests = sum(window);
    const totalWeight = data.instances.filter((i) => i.alive).reduce((a, i) => a + (i.weight || 0), 0);
    const rows = data.instances.map((i) => {
        const requestShare = totalRequests > 0 ? (window[i.name] || 0) / totalRequests : null;
        const weightShare = i.alive && totalWeight > 0 ? (i.weight || 0) / totalWeight : 0;
        const permits = i.permits && eventId in i.permits ? i.permits[eventId] : null;
        const tr = document.createElement('tr');
        tr.dataset.instance = i.name;
        cell(tr, i.name, 'th');
        const state = cell(
            tr,
            i.alive ? 'alive' : `down${i.lastBeat ? ` (last beat ${ago(data.now - i.lastBeat)})` : ''}`,
        );
        state.className = i.alive ? 'alive' : 'dead';
        cell(tr, i.weight === null || i.weight === undefined ? '—' : i.weight).dataset.field = 'weight';
        cell(tr, permits === null ? '—' : permits).dataset.field = 'permits';
        cell(tr, previous ? ((recent[i.name] || 0) / recentSeconds).toFixed(1) : '—').dataset.field = 'rate';
        cell(tr, requestShare === null ? '—' : percent(requestShare)).dataset.field = 'share';
        cell(tr, percent(weightShare)).dataset.field = 'weight-share';
        const bars = cell(tr, '');
        bars.className = 'bars';
        bars.append(
            bar(requestShare || 0, '', `${i.name}: share of requests`),
            bar(weightShare, 'weight', `${i.name}: share of weight`),
        );
        return tr;
    });
    $('instances').tBodies[0].replaceChildren(...rows);
}

function cell(row, value, tag = 'td') {
    const element = document.createElement(tag);
    if (tag === 'th') element.scope = 'row';
    element.textContent = `${value}`;
    row.append(element);
    return element;
}

function bar(fraction, kind, label) {
    const element = document.createElement('div');
    element.className = `bar ${kind}`;
    element.style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
    element.title = `${label}: ${percent(fraction)}`;
    element.setAttribute('aria-hidden', 'true');
    return element;
}

function delta(before, after) {
    const d = {};
    Object.keys(after).forEach((name) => {
        // An instance that restarted counts from zero again.
        const b = before[name] || 0;
        d[name] = after[name] >= b ? after[name] - b : after[name];
    });
    return d;
}

const sum = (values) => Object.values(values).reduce((a, v) => a + v, 0);
const last = (list) => list[list.length - 1];
const percent = (fraction) => `${(fraction * 100).toFixed(1)}%`;

function ago(ms) {
    const s = Math.round(ms / 1000);
    return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

function drawRates(history) {
    // uPlot is the classic script the page loads before its modules: its WebJar's files are not modules.
    if (typeof uPlot === 'undefined') {
        return; // the chart library did not load: the figures beside it still say it all
    }
    const data = [history.rates.t, history.rates.sales, history.rates.requests];
    const element = $('rates-chart');
    const width = Math.max(280, element.clientWidth - 16);
    if (!chart) {
        chart = new uPlot(
            {
                width,
                height: CHART_HEIGHT,
                series: [
                    {},
                    { label: 'sales/s', stroke: '#1a7f37', width: 2 },
                    { label: 'requests/s', stroke: '#0a58ca', width: 2 },
                ],
                axes: [{}, { label: 'per second' }],
                scales: { x: { time: true } },
            },
            data,
            element,
        );
    } else {
        if (Math.abs(chart.width - width) > 4) {
            chart.setSize({ width, height: CHART_HEIGHT });
        }
        chart.setData(data);
    }
}
