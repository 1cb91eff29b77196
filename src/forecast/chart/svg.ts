/**
 * A very small SVG writer: elements as nested calls, attributes and text
 * escaped, numbers rounded to 0.1 px so files stay small and diffs stable.
 */
export type Attrs = Record<string, string | number | undefined>;

export function el(name: string, attrs: Attrs = {}, ...children: string[]): string {
  let a = '';
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a += ` ${k}="${escape(typeof v === 'number' ? px(v) : v)}"`;
  return children.length ? `<${name}${a}>${children.join('')}</${name}>` : `<${name}${a}/>`;
}

export function text(x: number, y: number, s: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, escape(s));
}

/** `M x,y L x,y ...` through the points; a NaN starts a new segment. */
export function pathData(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(x)},${px(y)}`;
    pen = true;
  }
  return d;
}

export function document(width: number, height: number, ...children: string[]): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + el('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}` }, ...children) + '\n';
}

export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

export function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
