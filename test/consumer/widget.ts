/** The consumer app's widget: connects through the packed SDK and says so. */
import { connect } from 'microcanvas/sdk';

await connect().ready;
document.querySelector('#status')!.textContent = 'connected';
