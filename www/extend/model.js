// Placeholder until the panel lands: the section stays hidden.
export function mount() {}
