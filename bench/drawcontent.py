"""bench/drawcontent.py - the people and facts bench/drawpages.py prints.

Each value comes as (printed, normalized): what the page shows, and what
the README of the shared samples says dangan should make of it.  Surnames
follow a corpus frequency (bench/data, Apache-2.0); everything else is a
built-in list written for the generator.  Only the random.Random passed in
is used, so a seed gives the same people every time.
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

COMPOUND = ['欧阳', '端木', '司马', '诸葛', '上官', '令狐', '皇甫', '尉迟', '公孙', '慕容',
            '夏侯', '东方', '司徒', '长孙', '宇文', '万俟', '澹台', '闻人', '呼延', '申屠']
# common given-name characters of people born 1940-1970 (written for this
# generator; no name table is copied)
GIVEN_M = ('伟强磊军勇杰涛明超刚平辉鹏华飞斌宇浩波峰建国志文林海东新正永春晓光亮龙荣生德卫兵'
           '成庆民忠义红利全胜祥树根福贵山江武元敏立瑞宏良钢振家耀安宁彬俊毅岩松涌铭继')
GIVEN_F = '芳娜敏静丽艳娟秀霞玲萍红梅兰英凤琴云莉华燕玉珍桂菊慧洁雪美婷岚淑颖萍虹琳蓉晶'
GIVEN_WHOLE = ['建国', '建华', '建军', '国庆', '国强', '卫东', '卫国', '红卫', '援朝', '秀英', '桂英',
               '秀兰', '玉兰', '桂兰', '淑珍', '淑英', '丽华', '志强', '志刚', '志明', '永红', '红梅',
               '小平', '晓明', '晓东', '海涛', '文华', '德明', '振华', '爱国', '爱民', '胜利', '跃进',
               '卫红', '向东', '学军', '立新', '春生', '冬梅', '新民', '光明', '金凤', '荣华', '继红']
# characters rare outside names, which a reader's dictionary may lack
GIVEN_RARE = '犇沄喆堃淼鑫垚珏琨翀昶旻玥彧婕璟赟骞'
TRAD = dict(zip('陈张刘黄赵吴郑杨孙马许邓冯韩叶苏吕卢钟谭陆罗陶顾龚邹薛严沈蒋钱汤万乔贺龙',
                '陳張劉黃趙吳鄭楊孫馬許鄧馮韓葉蘇呂盧鍾譚陸羅陶顧龔鄒薛嚴沈蔣錢湯萬喬賀龍'))
TRAD.update(zip('华国伟军红丽东晓兰凤庆宁刚强卫荣兴云杰宝进胜义书长乐凯辉涛鹏飞洁艳静岚继爱跃学',
                '華國偉軍紅麗東曉蘭鳳慶寧剛強衛榮興雲傑寶進勝義書長樂凱輝濤鵬飛潔艷靜嵐繼愛躍學'))
for _k in [k for k, v in TRAD.items() if k == v]:
    del TRAD[_k]

# (major as printed before 1997, 1997-catalogue code it maps to)
MAJORS = [('固体力学', '080102'), ('流体力学', '080103'), ('一般力学', '080101'),
          ('计算数学', '070102'), ('应用数学', '070104'), ('基础数学', '070101'),
          ('概率论与数理统计', '070103'), ('理论物理', '070201'), ('光学', '070207'),
          ('无机化学', '070301'), ('分析化学', '070302'), ('有机化学', '070303'),
          ('物理化学', '070304'), ('机械制造', '080201'), ('机械学', '080203'),
          ('电机', '080801'), ('电力系统及其自动化', '080802'), ('自动控制', '081101'),
          ('工业自动化', '081102'), ('计算机软件', '081202'), ('计算机应用', '081203'),
          ('计算机组织与系统结构', '081201'), ('无线电技术', '081001'), ('通信与电子系统', '081001'),
          ('电磁场与微波技术', '080904'), ('化学工程', '081701'), ('水利水电工程', '081504'),
          ('结构工程', '081402'), ('岩土工程', '081401'), ('金属材料及热处理', '080502'),
          ('工程热物理', '080701'), ('热能工程', '080702'), ('金融', '020204'),
          ('货币银行学', '020204'), ('会计学', '120201'), ('政治经济学', '020101'),
          ('世界经济', '020105'), ('企业管理', '120202'), ('中国古代文学', '050105'),
          ('中国近现代史', '060107'), ('马克思主义哲学', '010101'), ('法学理论', '030101'),
          ('教育学原理', '040101'), ('儿童心理学', '040202'), ('作物栽培学与耕作学', '090101'),
          ('内科学', '100201'), ('外科学', '100210'), ('病理学', '100104')]
DEGREE_FIELD = {'01': '哲学', '02': '经济学', '03': '法学', '04': '教育学', '05': '文学',
                '06': '历史学', '07': '理学', '08': '工学', '09': '农学', '10': '医学', '12': '经济学'}
DEPARTMENTS = {'0801': '力学系', '0701': '数学系', '0702': '物理系', '0703': '化学系',
               '0802': '机械工程系', '0808': '电机工程系', '0811': '自动控制系',
               '0812': '计算机科学系', '0810': '无线电电子学系', '0809': '无线电电子学系',
               '0817': '化学工程系', '0815': '水利工程系', '0814': '土木工程系',
               '0805': '材料科学与工程系', '0807': '热能工程系', '0202': '经济系',
               '1202': '管理工程系', '0201': '经济系', '0501': '中文系', '0601': '历史系',
               '0101': '哲学系', '0301': '法律系', '0401': '教育系', '0402': '教育系',
               '0901': '农学系', '1002': '医疗系', '1001': '基础医学部'}
DIRECTIONS = ['数字信号处理', '有限元分析', '非线性振动', '人工智能', '数据库', '模式识别',
              '结构优化', '催化', '反应工程', '计算流体力学', '图像处理', '微波电路', '控制理论',
              '数值分析', '金融市场', '成本会计', '先秦文学', '断裂力学', '高分子合成', '']
UNIVERSITIES = ['华东工学院', '北方大学', '西北电讯工程学院', '华中工学院', '东南大学', '杭州大学',
                '西南交通大学', '南京工学院', '成都科技大学', '华南理工大学', '大连工学院',
                '上海交通大学', '中南矿冶学院', '武汉水利电力学院', '北京钢铁学院', '山东大学']
PLACES = ['江苏无锡', '湖南长沙', '四川成都', '山东济南', '浙江绍兴', '河南洛阳', '湖北武汉',
          '广东梅县', '福建泉州', '安徽合肥', '河北保定', '辽宁沈阳', '陕西西安', '江西南昌',
          '上海', '北京', '天津', '山西太原', '吉林长春', '广西桂林', '云南昆明', '贵州遵义']
ETHNIC = [('汉', '汉族')] * 14 + [('汉族', '汉族')] * 10 + [
    ('回族', '回族'), ('满族', '满族'), ('蒙古族', '蒙古族'), ('壮族', '壮族'), ('朝鲜族', '朝鲜族'),
    ('土家族', '土家族'), ('苗族', '苗族'), ('回', '回族')]
POLITICAL = [('中共党员', '中共党员')] * 4 + [('党员', '中共党员')] * 2 + [
    ('共青团员', '共青团员'), ('共青团员', '共青团员'), ('团员', '共青团员'), ('群众', '群众'),
    ('民盟盟员', '民盟盟员'), ('九三学社社员', '九三学社社员')]
CN_DIGITS = '〇一二三四五六七八九'
CN_MONTHS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二']
DATE_STYLES = ['ymd_cn', 'ymd_cn0', 'cn', 'dot', 'dot0', 'yy_dot0', 'yy_dot', 'yy_cn']


def _surname_table():
    for path in (os.path.join(ROOT, 'configs/names/surnames_wainshine.tsv'),
                 os.path.join(HERE, 'data/surnames_wainshine.tsv'),
                 os.path.join(ROOT, '../shared/data/names/surnames_wainshine.tsv')):
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                rows = [ln.rstrip('\n').split('\t') for ln in f if ln.strip()]
            return [(r[0], int(r[1])) for r in rows[1:]]
    raise SystemExit('drawpages: no surnames_wainshine.tsv (bench/data/)')


SURNAMES = _surname_table()
_SN_NAMES = [s for s, _ in SURNAMES]
_SN_CUM = []
for _s, _c in SURNAMES:
    _SN_CUM.append((_SN_CUM[-1] if _SN_CUM else 0) + _c)
RARE_SURNAMES = [s for s, c in SURNAMES if c <= 20 and len(s) == 1]


def surname(rng):
    r = rng.random()
    if r < 0.03:
        return rng.choice(COMPOUND)
    if r < 0.07:
        return rng.choice(RARE_SURNAMES)
    return rng.choices(_SN_NAMES, cum_weights=_SN_CUM)[0]


def given(rng, sex):
    r = rng.random()
    if r < 0.03:
        return rng.choice(GIVEN_M if sex == '男' else GIVEN_F) + rng.choice(GIVEN_RARE)
    if r < 0.35:
        return rng.choice(GIVEN_WHOLE)
    pool = GIVEN_M if sex == '男' else GIVEN_F
    if r < 0.6:
        return rng.choice(pool)
    return rng.choice(pool) + rng.choice(pool + GIVEN_M)


def person(rng, sex=None, trad_share=0.1):
    """(printed, normalized) name; about one in ten printed in traditional forms."""
    sex = sex or rng.choice('男男男女')
    norm = surname(rng) + given(rng, sex)
    printed = ''.join(TRAD.get(c, c) for c in norm) if rng.random() < trad_share else norm
    return printed, norm


def supervisor(rng):
    printed, norm = person(rng, rng.choice('男男男男女'))
    r = rng.random()
    if r < 0.15:
        printed += rng.choice(['教授', ' 教授', '（教授）', '(副教授)', ' 副教授'])
    return printed, norm


def cn_year(y, zero):
    return ''.join(CN_DIGITS[int(d)] for d in str(y)).replace('〇', zero)


def date(rng, y, m, style, zero='〇', day=None):
    """(printed, normalized) of year y month m in one of the printed styles."""
    norm = '%04d-%02d' % (y, m)
    if style == 'ymd_cn':
        p = '%d年%d月' % (y, m)
    elif style == 'ymd_cn0':
        p = '%d年%02d月' % (y, m)
    elif style == 'cn':
        p = cn_year(y, zero) + '年' + CN_MONTHS[m] + '月'
    elif style == 'dot':
        p = '%d.%d' % (y, m)
    elif style == 'dot0':
        p = '%d.%02d' % (y, m)
    elif style == 'yy_dot0':
        p = '%02d.%02d' % (y % 100, m)
    elif style == 'yy_dot':
        p = '%02d.%d' % (y % 100, m)
    else:
        p = '%02d年%d月' % (y % 100, m)
    if day:
        norm += '-%02d' % day
        p += ('%d日' % day) if p.endswith('月') else ('.%d' % day)
    return p, norm


def major(rng, pool=None):
    name, code = rng.choice(pool or MAJORS)
    return name, code


def majors_like(code):
    """The majors a department of code's discipline teaches (a ledger page's)."""
    same = [m for m in MAJORS if department_of(m[1]) == department_of(code)]
    return same or [m for m in MAJORS if m[1][:2] == code[:2]]


def department_of(code):
    return DEPARTMENTS.get(code[:4]) or DEPARTMENTS.get(code[:2] + '01') or '研究生部'


def degree(rng, code, doctor):
    """(printed, normalized); None normalized when printed blank, — or 未授."""
    if rng.random() < 0.05:
        p = rng.choice(['', '—', '未授'])
        return p, None
    d = DEGREE_FIELD.get(code[:2], '工学') + ('博士' if doctor else '硕士')
    return d, d


class Staff:
    """One batch's departments and their supervisors, as a registry's
    ledgers repeat them: a batch of a few departments (their majors), each
    with a few dozen supervisors, some of whom supervise many students
    (weights falling as 1/rank^0.8).  Drawn from the draw's seed only, so
    every page of a draw sees the same staff."""

    def __init__(self, seed):
        self.seed = seed
        r = random.Random('drawcontent-staff:%s' % seed)
        depts = sorted({department_of(c) for _, c in MAJORS})
        keep = set(r.sample(depts, min(len(depts), r.randint(4, 7))))
        self.majors = [m for m in MAJORS if department_of(m[1]) in keep]
        self.pools = {}

    def supervisor(self, rng, code):
        dept = department_of(code)
        if dept not in self.pools:
            r = random.Random('drawcontent-staff:%s:%s' % (self.seed, dept))
            people = [supervisor(r) for _ in range(r.randint(20, 40))]
            self.pools[dept] = (people, [1.0 / (i + 1) ** 0.8 for i in range(len(people))])
        people, weights = self.pools[dept]
        return rng.choices(people, weights)[0]


def student(rng, grad_year=None, page_style=None, zero='〇', majors=None, staff=None):
    """One graduate: dict key -> (printed, normalized); with staff (a
    Staff), the supervisor is one of the department's and the major one of
    the batch's."""
    sex = rng.choice('男男男女')
    doctor = rng.random() < 0.12
    span = rng.choice([3, 3, 3, 2.5, 2]) if not doctor else rng.choice([3, 3, 4])
    gy = grad_year or rng.randint(1981, 1998)
    gm = rng.choice([7, 7, 7, 7, 3, 2, 12, 1, 6])
    months = int(round(span * 12))
    em_total = gy * 12 + gm - 1 - months
    ey, em = divmod(em_total, 12)
    em += 1
    if rng.random() < 0.7:
        em = 9 if em > 4 else 2  # terms begin in September (or February)
    age = rng.randint(22, 34) if not doctor else rng.randint(26, 40)
    by, bm = ey - age, rng.randint(1, 12)

    def d(y, m):
        style = page_style if page_style and rng.random() < 0.8 else rng.choice(DATE_STYLES)
        return date(rng, y, m, style, zero)
    maj, code = major(rng, majors or (staff.majors if staff else None))
    name = person(rng, sex)
    sno = rng.choice(['%02d%d%03d' % (ey % 100, rng.randint(1, 9), rng.randint(1, 999)),
                      'S%02d%04d' % (ey % 100, rng.randint(1, 9999)),
                      '%02d-%04d' % (ey % 100, rng.randint(1, 9999))])
    deg = degree(rng, code, doctor)
    cert = ''
    if deg[1]:
        cert = rng.choice(['%02d硕字第%04d号' % (gy % 100, rng.randint(1, 9999)),
                           'No.%02d%04d' % (gy % 100, rng.randint(1, 9999)),
                           '%02d%04d' % (gy % 100, rng.randint(1, 9999))])
        if doctor:
            cert = cert.replace('硕', '博')
    span_p = {2: rng.choice(['二年', '2年']), 2.5: rng.choice(['二年半', '2.5年']),
              3: rng.choice(['三年', '3年']), 4: rng.choice(['四年', '4年'])}[span]
    mcode = rng.choice([code, code, code[:4], ''])
    direction = rng.choice(DIRECTIONS)
    return {
        'name': name, 'sex': (sex, sex), 'birth_date': d(by, bm),
        'ethnicity': rng.choice(ETHNIC), 'native_place': (lambda p: (p, p))(rng.choice(PLACES)),
        'political_status': rng.choice(POLITICAL), 'student_no': (sno, sno),
        'enroll_date': d(ey, em), 'department': (department_of(code),) * 2,
        'major': (maj, maj), 'major_code': (mcode, mcode or None),
        'research_direction': (direction, direction or None), 'supervisor': staff.supervisor(rng, code) if staff else supervisor(rng),
        'duration': (span_p, ('%g' % span)), 'grad_date': d(gy, gm), 'degree': deg,
        'certificate_no': (cert, cert or None), '_code': code,
    }
