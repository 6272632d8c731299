"""Fits dedupe::score's coefficients from a candidate-feature dump.

    cargo xtask eval dedupe --intents banking77-dev.intents.tsv --dump /tmp/feat.tsv
    python3 scripts/distill/fit_score.py /tmp/feat.tsv

Dump columns: question, candidate, group, emb cos, char cos, score,
same label (candidate), right group (group's first question).
Logistic regression (Newton) of "same label" on [cos, char, cos*char, 1];
then, per question, the best candidate under the fit is joined when its
probability clears a threshold: prints the offline precision/recall points.
"""
import numpy as np, sys
d=np.loadtxt(sys.argv[1] if len(sys.argv) > 1 else '/tmp/feat.tsv',delimiter='\t')
i,q,g,cos,c,sc,same,ok=d.T
m=cos>-0.5
print("rows",len(d),"with emb",m.sum())
def feats(cos,c):
    return np.stack([cos,c,cos*c,np.ones_like(cos)],1)
X=feats(cos[m],c[m]); y=same[m]
w=np.zeros(X.shape[1])
for it in range(50):
    p=1/(1+np.exp(-X@w)); g_=X.T@(p-y); H=(X*(p*(1-p))[:,None]).T@X+1e-6*np.eye(len(w)); w-=np.linalg.solve(H,g_)
print("w",w)
s=np.full(len(d),-1e9); s[m]=feats(cos[m],c[m])@w
# per question best candidate
best={}
for k in range(len(d)):
    qi=int(i[k])
    if qi not in best or s[k]>best[qi][0]: best[qi]=(s[k],ok[k],same[k])
arr=np.array(list(best.values()))
order=np.argsort(-arr[:,0]); cs=np.cumsum(arr[order,1]); n=np.arange(1,len(order)+1)
prec=cs/n
for P in [0.9,0.93,0.95,0.96,0.97]:
    idx=np.where(prec>=P)[0]; k=idx.max() if len(idx) else 0
    print(P,"joins",k+1,"right",cs[k],"recall~",cs[k]/9926,"z",arr[order[k],0],"p",1/(1+np.exp(-arr[order[k],0])))
