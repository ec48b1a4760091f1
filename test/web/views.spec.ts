import { input } from '../../services/web/src/views/forms';
import { html } from '../../services/web/src/views/html';

describe('server-side views', () => {
  it('escape every interpolated value, except markup built with html``', () => {
    const name = `<script>alert("x")</script>'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;</p>',
    );
    expect(html`<ul>${['a&b', 'c'].map((item) => html`<li>${item}</li>`)}</ul>`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('tie a field to its hint and its error', () => {
    const plain = input({ name: 'period', label: 'Mois', hint: 'AAAA-MM' }).value;
    expect(plain).toContain('aria-describedby="field-period-hint"');
    expect(plain).not.toContain('aria-invalid');
    const wrong = input({ name: 'period', label: 'Mois', hint: 'AAAA-MM', errors: { period: 'Mois invalide' } }).value;
    expect(wrong).toContain('aria-describedby="field-period-hint field-period-error"');
    expect(wrong).toContain('aria-invalid="true"');
    expect(wrong).toMatch(/<p class="fr-error-text" id="field-period-error">Mois invalide<\/p>/);
    expect(wrong).toMatch(/<label class="fr-label" for="field-period">/);
  });
});
