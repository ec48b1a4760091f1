import { input } from '../../services/web/src/views/forms';
import { html } from '../../services/web/src/views/html';
import { counselorBookletView } from '../../services/web/src/views/pages/counselor-booklet.view';
import { siteRedeemView } from '../../services/web/src/views/pages/site-redeem.view';

describe('server-side views', () => {
  it('escape every interpolated value, except markup built with html``', () => {
    const name = `<script>alert("x")</script>'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;</p>',
    );
    expect(html`<ul>${['a&b', 'c'].map((item) => html`<li>${item}</li>`)}</ul>`.value).toBe(
      '<ul><li>a&amp;b</li><li>c</li></ul>',
    );
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

describe('page views', () => {
  const pass = (position: number, status: string, voidRequest?: { status: string; rejectionReason?: string }) => ({
    id: `00000000-0000-4000-8000-00000000000${position}`,
    position,
    amountCents: 1000,
    status,
    voidRequest,
  });

  it('offer to void a pass only while it is unused and not already asked for', () => {
    const { title, body } = counselorBookletView({
      csrf: 'token',
      booklet: {
        id: '00000000-0000-4000-8000-000000000000',
        status: 'started',
        programName: 'Pass numérique Haute-Garonne',
        totalCents: 4000,
        issuedAt: '2026-03-01T10:00:00Z',
        beneficiary: { beneficiaryRef: 'HG-0001', situation: 'senior', diagnosticLevel: 'no_autonomy' },
        passes: [
          pass(1, 'issued'),
          pass(2, 'issued', { status: 'pending' }),
          pass(3, 'redeemed'),
          pass(4, 'issued', { status: 'rejected', rejectionReason: 'Déjà <utilisé>' }),
        ],
      },
    });
    expect(title).toBe('Carnet HG-0001');
    const offered = [...body.value.matchAll(/Demander l'annulation du pass n° (\d+)/g)].map((m) => Number(m[1]));
    expect(offered).toEqual([1, 4]);
    expect(body.value).toContain('Annulation demandée');
    expect(body.value).toContain('Annulation refusée : Déjà &lt;utilisé&gt;');
    expect(body.value).toContain('Profil : âge non renseigné, Personne âgée, Aucune autonomie numérique.');
  });

  it('give each typed code its field and error, and stop adding fields at the maximum', () => {
    const model = {
      csrf: 'token',
      errors: { 'code-1': 'Ce code contient une faute de frappe : vérifiez chaque caractère.' },
      idempotencyKey: '00000000-0000-4000-8000-000000000000',
      maxCodes: 2,
      recent: [],
      typedHere: [],
    };
    const { body, scripts } = siteRedeemView({ ...model, codes: ['', '<abc>'] });
    expect(body.value).toContain('<label class="fr-label" for="code-1">Code du pass n° 2');
    expect(body.value).toContain('value="&lt;abc&gt;"');
    expect(body.value).toMatch(/<p class="fr-error-text" id="code-1-error">Ce code contient une faute de frappe/);
    expect(body.value).not.toContain('Ajouter un autre pass');
    expect(scripts).toEqual(['/assets/pass-code.js', '/assets/redeem.js']);
    expect(siteRedeemView({ ...model, codes: [''], errors: {} }).body.value).toContain('Ajouter un autre pass');
  });
});
