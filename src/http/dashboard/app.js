// The dashboard: reads /api/report (the closed-loop report, same figures as `leadloop report`)
// and /api/operations, draws them with Chart.js (served from node_modules), and polls again
// every 15 seconds. Plain browser JavaScript: no build step.

const REFRESH_MS = 15_000;
const COLORS = { handedOff: '#8fb3ef', sql: '#2f6fde', opportunities: '#f0b44c', won: '#2e9e5b', lost: '#d9534f', other: '#7d8b99' };
const charts = new Map();

/** Percent with one decimal, or a dash when there is nothing to divide. */
function percent(part, whole) {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–';
}

function rate(value) {
  return value === null || value === undefined ? '–' : `${(100 * value).toFixed(1)}%`;
}

function sum(rows, field) {
  return rows.reduce((total, row) => total + (row[field] ?? 0), 0);
}

/** The headline figures, from the report's own rows (the browser test recomputes them the same way). */
function kpis(report, operations) {
  const sources = report.funnel.source ?? [];
  const owners = report.sla.byOwner;
  const won = sum(sources, 'won');
  const lost = sum(sources, 'lost');
  return {
    handedOff: String(sum(sources, 'handedOff')),
    sql: String(sum(sources, 'sql')),
    mqlToSql: percent(sum(owners, 'sql'), sum(owners, 'mqlHandoffs')),
    won: String(won),
    lost: String(lost),
    winRate: percent(won, won + lost),
    slaCompliance: percent(sum(owners, 'inTime'), sum(owners, 'decided')),
    deadLetters: String(operations.deadLetters.total),
  };
}

// An empty chart says so on its canvas rather than staying blank.
const emptyNote = {
  id: 'emptyNote',
  afterDraw(chart) {
    const hasData = chart.data.datasets.some((d) => d.data.some((v) => v !== null && v !== 0));
    if (hasData) return;
    const { ctx, chartArea } = chart;
    if (!chartArea) return;
    ctx.save();
    ctx.fillStyle = '#5b6b7c';
    ctx.font = '14px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('nothing yet', (chartArea.left + chartArea.right) / 2, (chartArea.top + chartArea.bottom) / 2);
    ctx.restore();
  },
};

function draw(name, config) {
  const canvas = document.querySelector(`canvas[data-chart="${name}"]`);
  const existing = charts.get(name);
  if (existing) {
    existing.data = config.data;
    existing.update('none');
    return;
  }
  const base = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
    scales: { x: { ticks: { autoSkip: true, maxRotation: 60 } }, y: { beginAtZero: true } },
  };
  charts.set(name, new Chart(canvas, { ...config, options: { ...base, ...(config.options ?? {}) }, plugins: [emptyNote] }));
}

function bars(labels, datasets, options) {
  return { type: 'bar', data: { labels, datasets }, ...(options ? { options } : {}) };
}

function dataset(label, data, color, extra) {
  return { label, data, backgroundColor: color, ...(extra ?? {}) };
}

const percentAxis = { x: { ticks: { autoSkip: true, maxRotation: 60 } }, y: { beginAtZero: true, max: 100, ticks: { callback: (v) => `${v}%` } } };

function funnel(rows) {
  const top = [...rows].sort((a, b) => b.handedOff - a.handedOff).slice(0, 15);
  return bars(
    top.map((r) => r.key),
    [
      dataset(
        'handed off',
        top.map((r) => r.handedOff),
        COLORS.handedOff,
      ),
      dataset(
        'SQL',
        top.map((r) => r.sql),
        COLORS.sql,
      ),
      dataset(
        'opportunities',
        top.map((r) => r.opportunities),
        COLORS.opportunities,
      ),
      dataset(
        'won',
        top.map((r) => r.won),
        COLORS.won,
      ),
    ],
  );
}

function winRates(rows) {
  const top = rows
    .filter((r) => r.winRate !== null)
    .sort((a, b) => b.won + b.lost - (a.won + a.lost))
    .slice(0, 15);
  return bars(
    top.map((r) => r.key),
    [
      dataset(
        'win rate %',
        top.map((r) => Math.round(1000 * r.winRate) / 10),
        COLORS.won,
      ),
    ],
    { scales: percentAxis },
  );
}

function returns(rows) {
  const top = (rows ?? []).filter((r) => r.revenuePerCost !== null).slice(0, 15);
  return bars(
    top.map((r) => r.key),
    [
      dataset(
        'revenue ÷ cost',
        top.map((r) => Math.round(100 * r.revenuePerCost) / 100),
        COLORS.sql,
      ),
    ],
  );
}

function render(report, operations) {
  const funnelOf = report.funnel;
  draw('funnelSource', funnel(funnelOf.source ?? []));
  draw('funnelShow', funnel(funnelOf.show ?? []));
  draw('winRateSource', winRates(funnelOf.source ?? []));
  draw('returnSource', returns(report.return.source));
  draw('winRateCampaign', winRates(funnelOf.campaign ?? []));
  draw('returnCampaign', returns(report.return.campaign));
  const competitors = report.winLoss.competitors.slice(0, 12);
  draw(
    'competitors',
    bars(
      competitors.map((c) => c.competitor),
      [
        dataset(
          'won against',
          competitors.map((c) => c.won),
          COLORS.won,
        ),
        dataset(
          'lost to',
          competitors.map((c) => c.lost),
          COLORS.lost,
        ),
      ],
      { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } },
    ),
  );
  const owners = report.sla.byOwner.slice(0, 20);
  draw(
    'slaOwner',
    bars(
      owners.map((o) => o.key),
      [
        dataset(
          'in time %',
          owners.map((o) => (o.compliance === null ? null : Math.round(1000 * o.compliance) / 10)),
          COLORS.sql,
        ),
      ],
      { scales: percentAxis },
    ),
  );
  draw(
    'mqlSqlOwner',
    bars(
      owners.map((o) => o.key),
      [
        dataset(
          'MQL → SQL %',
          owners.map((o) => (o.mqlToSql === null ? null : Math.round(1000 * o.mqlToSql) / 10)),
          COLORS.won,
        ),
      ],
      { scales: percentAxis },
    ),
  );

  // Prometheus buckets are cumulative: each bar shows the hand-offs that fell in its own bucket.
  const buckets = operations.handoffLatency.buckets;
  draw(
    'latency',
    bars(
      buckets.map((b) => `≤ ${b.le} s`),
      [
        dataset(
          'hand-offs',
          buckets.map((b, i) => b.count - (i > 0 ? buckets[i - 1].count : 0)),
          COLORS.sql,
        ),
      ],
    ),
  );
  const rolling = operations.budgets.filter((b) => b.limit !== undefined);
  draw(
    'budgets',
    bars(
      rolling.map((b) => b.budget),
      [
        dataset(
          'used % of limit',
          rolling.map((b) => (b.limit > 0 ? Math.round((1000 * b.used) / b.limit) / 10 : 0)),
          COLORS.opportunities,
        ),
      ],
      { scales: percentAxis },
    ),
  );
  const lag = Object.entries(operations.syncLag);
  draw(
    'syncLag',
    bars(
      lag.map(([flow]) => flow),
      [
        dataset(
          'seconds behind',
          lag.map(([, seconds]) => seconds),
          COLORS.other,
        ),
      ],
    ),
  );
  const dead = operations.deadLetters.byReason.slice(0, 12);
  draw(
    'deadLetters',
    bars(
      dead.map((d) => `${d.system} ${d.reason}`),
      [
        dataset(
          'records',
          dead.map((d) => d.count),
          COLORS.lost,
        ),
      ],
    ),
  );

  for (const [name, value] of Object.entries(kpis(report, operations))) {
    const cell = document.querySelector(`[data-kpi="${name}"]`);
    if (cell) cell.textContent = value;
  }
  const body = document.querySelector('#funnel-source tbody');
  body.replaceChildren(
    ...(funnelOf.source ?? []).map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.key = row.key;
      for (const value of [row.key, row.handedOff, row.sql, row.opportunities, row.won, row.lost, rate(row.winRate)]) {
        const td = document.createElement('td');
        td.textContent = String(value);
        tr.append(td);
      }
      return tr;
    }),
  );
}

function windowQuery() {
  const days = document.getElementById('window').value;
  if (!days) return '';
  const since = new Date(Date.now() - Number(days) * 86_400_000).toISOString().slice(0, 10);
  return `?since=${since}`;
}

async function getJson(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent('/dashboard')}`);
    throw new Error('logged out');
  }
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  const updated = document.getElementById('updated');
  try {
    const [report, operations] = await Promise.all([getJson(`/api/report${windowQuery()}`), getJson('/api/operations')]);
    render(report, operations);
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.ready = '1';
  } catch (error) {
    updated.textContent = `could not refresh (${error.message}); retrying`;
  } finally {
    refreshing = false;
  }
}

document.getElementById('window').addEventListener('change', refresh);
refresh();
setInterval(refresh, REFRESH_MS);
