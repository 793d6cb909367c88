/**
 * Strongly connected sets of a directed graph (Tarjan), shared by scripts/folder-layers.js (the check that
 * `npm run depcheck` runs) and scripts/folder-loops.js (the finer count docs/architecture.md quotes).
 * `next` maps each node to the nodes it points at (every node a key). Returns every set, each sorted; a set
 * of two or more nodes is a loop.
 */
function stronglyConnected(next) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const components = [];
  function visit(v) {
    state.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of next.get(v)) {
      if (!state.has(w)) {
        visit(w);
        state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
      } else if (state.get(w).onStack) {
        state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
      }
    }
    if (state.get(v).low === state.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      components.push(component.sort());
    }
  }
  for (const v of [...next.keys()].sort()) if (!state.has(v)) visit(v);
  return components;
}

module.exports = { stronglyConnected };
